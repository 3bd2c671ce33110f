@echo off
rem qubixctl launcher for Windows: runs the CLI jar, building it on first use.
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%qubix-examples\target\qubixctl.jar"
if not exist "%JAR%" (
  echo qubixctl: building "%JAR%" ^(first use^)... 1>&2
  pushd "%ROOT%" && call mvn -q -B -DskipTests -pl qubix-examples -am package 1>&2 & popd
)
if not defined JAVA set "JAVA=java"
"%JAVA%" %QUBIX_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
