@echo off
rem qubixctl launcher for Windows. With a release (qubixctl.cmd --release ...) it needs nothing but
rem Java 17+ and Hyper-V: no Nix, no WSL, no Maven when qubixctl.jar lies next to this file (both
rem are attached to every GitHub release).
rem
rem 1. qubixctl.jar: next to this file, else the build output of a clone (built with Maven on first use).
rem 2. Java: %%JAVA%% if set, else JAVA_HOME, else java on PATH, else the newest JDK/JRE in the usual
rem    install folders; a Java whose release file says older than 17 is skipped. None: say where to
rem    get Temurin and exit 1.
rem 3. Elevation, only when needed: qubixctl itself decides, before it changes anything, and exits 4
rem    when Hyper-V needs an elevated shell (not a Hyper-V Administrators member; or the first up of a
rem    static network, which adds a host address and a NetNat). Then, and only from a shell that is
rem    not elevated, this asks Windows (UAC) and runs the same command again in an elevated window.
rem    Asking up front for every up would prompt members of Hyper-V Administrators for nothing, and a
rem    read-only command (status, plan, connect) never needs it. QUBIX_NO_ELEVATE=1 never asks.
rem
rem Arguments are passed to java with %%* exactly once, on a line outside any ( ) block, with delayed
rem expansion off, so quoted arguments (spaces, & ^ %% ! ( ), non-ASCII) reach java as typed. cmd
rem itself cannot pass an unquoted & | < > that the caller escaped with ^: quote such arguments.
rem The elevated run gets no command line built from them at all: qubixctl (Java, which holds the
rem arguments exactly) writes a java @argument-file and a PowerShell -EncodedCommand into a new
rem folder named by QUBIX_ELEVATE_DIR (files, because Windows passes neither this environment nor
rem an argument array through UAC), and the -Command below only reads that folder's name from the
rem environment. See ElevatedRelaunch.java.
setlocal EnableExtensions DisableDelayedExpansion
set "ROOT=%~dp0"
set "JAR=%ROOT%qubixctl.jar"
if not exist "%JAR%" set "JAR=%ROOT%qubix-examples\target\qubixctl.jar"

call :find_java
if not defined JAVA goto :no_java
if not exist "%JAR%" call :build_jar
if not exist "%JAR%" exit /b 1

set "QUBIX_ELEVATE_DIR="
if "%QUBIX_NO_ELEVATE%"=="1" goto :run
rem fltmc answers only an elevated administrator: an error means "not elevated", so asking may help
fltmc >nul 2>&1
if errorlevel 1 set "QUBIX_ELEVATE_DIR=%TEMP%\qubixctl-elevate-%RANDOM%%RANDOM%%RANDOM%"

:run
"%JAVA%" %QUBIX_JAVA_OPTS% -jar "%JAR%" %*
set "RC=%ERRORLEVEL%"
if not "%RC%"=="4" goto :done
if not defined QUBIX_ELEVATE_DIR goto :done
if not exist "%QUBIX_ELEVATE_DIR%\elevated.b64" goto :done
echo qubixctl: this needs an elevated shell: asking Windows (UAC); the command runs again in a new window 1>&2
"%SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$ErrorActionPreference = 'Stop'; try { $e = (Get-Content -LiteralPath (Join-Path $env:QUBIX_ELEVATE_DIR 'elevated.b64') -Raw).Trim(); $ps = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'; $p = Start-Process -FilePath $ps -Verb RunAs -Wait -PassThru -ArgumentList ('-NoProfile -ExecutionPolicy Bypass -EncodedCommand ' + $e); exit $p.ExitCode } catch { [Console]::Error.WriteLine('qubixctl: elevation refused or failed: ' + $_.Exception.Message + ' (run qubixctl from an elevated shell: Run as administrator)'); exit 4 }"
set "RC=%ERRORLEVEL%"

:done
if defined QUBIX_ELEVATE_DIR if exist "%QUBIX_ELEVATE_DIR%\" rd /s /q "%QUBIX_ELEVATE_DIR%"
exit /b %RC%

:no_java
echo qubixctl: no Java 17 or newer found. Looked at JAVA_HOME, java on PATH, and the JDKs and JREs under 1>&2
echo   "%ProgramFiles%\Eclipse Adoptium", "%ProgramFiles%\Microsoft", "%ProgramFiles%\Java", Zulu, Amazon Corretto, BellSoft. 1>&2
echo Install Eclipse Temurin 17 or newer (Windows x64 .msi, JDK or JRE) from https://adoptium.net/temurin/releases/?os=windows 1>&2
echo   or run: winget install EclipseAdoptium.Temurin.21.JDK 1>&2
echo then open a new shell (or set JAVA_HOME to the Java folder) and run qubixctl.cmd again. 1>&2
exit /b 1

rem ---- :find_java sets JAVA, or leaves it undefined
:find_java
if defined JAVA exit /b 0
set "BEST="
set "BEST_MAJOR=0"
set "UNVERIFIED="
if defined JAVA_HOME call :consider "%JAVA_HOME%\bin\java.exe" JAVA_HOME
if defined BEST goto :found_java
for /f "delims=" %%J in ('where java 2^>nul') do call :consider "%%J" PATH
if defined BEST goto :found_java
for %%P in ("Eclipse Adoptium\jdk-*" "Eclipse Adoptium\jre-*" "Microsoft\jdk-*" "Java\jdk*" "Java\jre*" "Zulu\zulu*" "Amazon Corretto\jdk*" "BellSoft\Liberica*") do for /d %%D in ("%ProgramFiles%\%%~P") do call :consider "%%~D\bin\java.exe" folder
if defined BEST goto :found_java
rem a java without a release file (Oracle's javapath shim) may still be new enough: try it last
if defined UNVERIFIED set "BEST=%UNVERIFIED%"
if not defined BEST exit /b 0
:found_java
set "JAVA=%BEST%"
exit /b 0

rem ---- :consider "path\to\java.exe" SOURCE: keeps it in BEST when it is Java 17+ and newer than BEST
rem (JAVA_HOME and PATH hold one candidate each, so their first usable one wins)
:consider
if defined BEST if not "%~2"=="folder" exit /b 0
if not exist "%~1" (
  if "%~2"=="JAVA_HOME" echo qubixctl: warning: JAVA_HOME has no bin\java.exe; looking elsewhere 1>&2
  exit /b 0
)
set "VER="
set "MAJOR="
if exist "%~dp1..\release" for /f "usebackq tokens=2 delims==" %%V in (`findstr /b /c:"JAVA_VERSION=" "%~dp1..\release"`) do set "VER=%%~V"
if not defined VER goto :consider_unverified
rem "1.8.0_401" is Java 8, "17.0.11" and "21" are 17 and 21
for /f "tokens=1,2 delims=._-+" %%A in ("%VER%") do if "%%A"=="1" (set "MAJOR=%%B") else (set "MAJOR=%%A")
set /a "MAJOR=MAJOR" 2>nul
if %MAJOR% LSS 17 goto :consider_too_old
if %MAJOR% LEQ %BEST_MAJOR% exit /b 0
set "BEST=%~1"
set "BEST_MAJOR=%MAJOR%"
exit /b 0
:consider_too_old
if not "%~2"=="folder" echo qubixctl: warning: skipping Java %VER% from %~2 ("%~1"): qubixctl needs 17 or newer 1>&2
exit /b 0
:consider_unverified
if not defined UNVERIFIED set "UNVERIFIED=%~1"
exit /b 0

rem ---- :build_jar builds qubixctl.jar in a clone; elsewhere it says where to get it
:build_jar
if not exist "%ROOT%pom.xml" goto :no_jar
where mvn >nul 2>&1
if errorlevel 1 goto :no_jar
echo qubixctl: building "%JAR%" (first use)... 1>&2
rem Maven finds Java through JAVA_HOME: the one found above, for this build only
if not defined JAVA_HOME for %%J in ("%JAVA%") do set "JAVA_HOME=%%~dpJ.."
pushd "%ROOT%"
call mvn -q -B -DskipTests -pl qubix-examples -am package 1>&2
popd
exit /b 0
:no_jar
echo qubixctl: "%ROOT%qubixctl.jar" is missing. Download qubixctl.jar from the same GitHub release as this 1>&2
echo   qubixctl.cmd into "%ROOT%", or build it in a clone of the repository with Maven (mvn package). 1>&2
exit /b 0
