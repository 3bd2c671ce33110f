package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * qubixctl.cmd, the Windows launcher. cmd.exe cannot run here, so this checks what makes a batch
 * file right by construction: its line ends, where {@code %*} may appear, that every Java-finding
 * branch and message is there, that elevation is asked for only on exit code 4 and without a
 * command line built from the arguments, and that its labels and blocks fit together.
 */
class QubixCtlCmdTest {
  static final String JAVA_LINE = "\"%JAVA%\" %QUBIX_JAVA_OPTS% -jar \"%JAR%\" %*";
  static String text;
  static List<String> lines;

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("qubixctl.cmd"))) {
      p = p.getParent();
    }
    assertThat(p).as("the repository root, holding qubixctl.cmd").isNotNull();
    return p;
  }

  @BeforeAll
  static void read() throws Exception {
    text = new String(Files.readAllBytes(repoRoot().resolve("qubixctl.cmd")), StandardCharsets.US_ASCII);
    lines = List.of(text.split("\r\n", -1));
  }

  /** Code lines: not comments, not blank. */
  static List<String> code() {
    return lines.stream().filter(l -> !l.isBlank() && !l.stripLeading().toLowerCase().startsWith("rem ")
        && !l.strip().equalsIgnoreCase("rem")).toList();
  }

  @Test
  void everyLineEndsInCrLfAndTheFileIsAscii() throws Exception {
    byte[] b = Files.readAllBytes(repoRoot().resolve("qubixctl.cmd"));
    for (int i = 0; i < b.length; i++) {
      assertThat(b[i] & 0xff).as("byte %d is ASCII", i).isLessThan(0x80);
      if (b[i] == '\n') {
        assertThat(i > 0 && b[i - 1] == '\r').as("LF at byte %d follows a CR", i).isTrue();
      }
    }
    assertThat(text).endsWith("\r\n").startsWith("@echo off\r\n");
    assertThat(Files.readString(repoRoot().resolve(".gitattributes"))).contains("*.cmd -text");
  }

  @Test
  void argumentsAreExpandedOnceOnTheJavaLineWithDelayedExpansionOff() {
    List<String> withArgs = code().stream().filter(l -> l.contains("%*")).toList();

    assertThat(withArgs).containsExactly(JAVA_LINE);
    // %1..%9 would be cmd's own re-parse of an argument; only subroutine parameters (%~1) are read
    assertThat(code()).noneMatch(l -> l.matches(".*(?<!%)%[1-9].*"));
    int setlocal = indexOf(l -> l.startsWith("setlocal EnableExtensions DisableDelayedExpansion"));
    assertThat(setlocal).isNotNegative().isLessThan(indexOf(JAVA_LINE::equals));
    assertThat(text).doesNotContainIgnoringCase("EnableDelayedExpansion");
    assertThat(blockDepthAt(indexOf(JAVA_LINE::equals))).as("%* outside any ( ) block").isZero();
  }

  @Test
  void noPowerShellCommandStringHoldsTheArguments() {
    List<String> ps = code().stream().filter(l -> l.toLowerCase().contains("powershell")).toList();

    assertThat(ps).hasSize(1);
    String line = ps.get(0);
    Matcher m = Pattern.compile("-Command \"([^\"]*)\"$").matcher(line);
    assertThat(m.find()).as("one double-quoted -Command string ending the line").isTrue();
    String command = m.group(1);
    assertThat(command).doesNotContain("%", "\"", "!", "^");
    assertThat(command).contains("$env:QUBIX_ELEVATE_DIR", "'elevated.b64'", "Start-Process", "-Verb RunAs", "-Wait",
        "-PassThru", "-EncodedCommand", "exit $p.ExitCode", "exit 4");
    assertThat(line).startsWith("\"%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile");
  }

  @Test
  void elevationIsAskedOnlyOnExitCodeFourFromAShellThatIsNotElevated() {
    String flow = String.join("\n", code());

    assertThat(flow).containsSubsequence("if \"%QUBIX_NO_ELEVATE%\"==\"1\" goto :run", "fltmc >nul 2>&1",
        "if errorlevel 1 set \"QUBIX_ELEVATE_DIR=%TEMP%\\qubixctl-elevate-", ":run", "%*",
        "set \"RC=%ERRORLEVEL%\"", "if not \"%RC%\"==\"4\" goto :done", "if not defined QUBIX_ELEVATE_DIR goto :done",
        "if not exist \"%QUBIX_ELEVATE_DIR%\\elevated.b64\" goto :done", "powershell.exe", "set \"RC=%ERRORLEVEL%\"",
        ":done", "rd /s /q \"%QUBIX_ELEVATE_DIR%\"", "exit /b %RC%");
    assertThat(ElevatedRelaunch.DIR_VARIABLE).isEqualTo("QUBIX_ELEVATE_DIR");
    assertThat(ElevatedRelaunch.ENCODED_COMMAND).isEqualTo("elevated.b64");
    assertThat(QubixCtl.ELEVATION_REQUIRED).isEqualTo(4);
  }

  @Test
  void javaIsLookedForInEveryUsualPlaceAndMustBeSeventeenOrNewer() {
    String flow = String.join("\n", code());

    assertThat(flow).containsSubsequence("if defined JAVA exit /b 0",
        "if defined JAVA_HOME call :consider \"%JAVA_HOME%\\bin\\java.exe\" JAVA_HOME",
        "('where java 2^>nul') do call :consider \"%%J\" PATH",
        "\"%ProgramFiles%\\%%~P\"", "if defined UNVERIFIED set \"BEST=%UNVERIFIED%\"");
    assertThat(flow).contains("\"Eclipse Adoptium\\jdk-*\"", "\"Eclipse Adoptium\\jre-*\"", "\"Microsoft\\jdk-*\"",
        "\"Java\\jdk*\"", "\"Java\\jre*\"", "\"Zulu\\zulu*\"", "\"Amazon Corretto\\jdk*\"", "\"BellSoft\\Liberica*\"");
    // the version comes from the JDK's release file, without starting a JVM
    assertThat(flow).contains("findstr /b /c:\"JAVA_VERSION=\" \"%~dp1..\\release\"",
        "if \"%%A\"==\"1\" (set \"MAJOR=%%B\") else (set \"MAJOR=%%A\")", "if %MAJOR% LSS 17 goto :consider_too_old",
        "qubixctl needs 17 or newer");
  }

  @Test
  void withoutJavaItSaysWhereToGetTemurinAndExitsNonZero() {
    int at = indexOf(l -> l.equals(":no_java"));
    List<String> block = lines.subList(at, at + 8);

    assertThat(String.join("\n", block)).contains("no Java 17 or newer found", "Eclipse Temurin 17 or newer",
        "https://adoptium.net/temurin/releases/?os=windows", "winget install EclipseAdoptium.Temurin.21.JDK",
        "JAVA_HOME");
    assertThat(block).contains("exit /b 1");
    assertThat(block.stream().filter(l -> l.startsWith("echo "))).allMatch(l -> l.endsWith(" 1>&2"));
  }

  @Test
  void theJarIsFoundNextToTheLauncherBeforeTheBuildOutput() {
    String flow = String.join("\n", code());

    assertThat(flow).containsSubsequence("set \"JAR=%ROOT%qubixctl.jar\"",
        "if not exist \"%JAR%\" set \"JAR=%ROOT%qubix-examples\\target\\qubixctl.jar\"", "call :find_java",
        "if not exist \"%JAR%\" call :build_jar", "if not exist \"%JAR%\" exit /b 1");
    assertThat(flow).contains("Download qubixctl.jar from the same GitHub release");
  }

  /** Structure: every goto/call target is a label, blocks balance, every exit is exit /b. */
  @Test
  void labelsExistBlocksBalanceAndExitsStayInTheScript() {
    Set<String> labels = new TreeSet<>();
    Set<String> targets = new TreeSet<>();
    for (String l : code()) {
      if (l.startsWith(":")) {
        labels.add(l.substring(1).strip().toLowerCase());
      }
      Matcher m = Pattern.compile("(?i)\\b(?:goto|call) :([A-Za-z_]+)").matcher(l);
      while (m.find()) {
        targets.add(m.group(1).toLowerCase());
      }
      if (l.matches("(?i).*\\bexit\\b.*") && !l.contains("-Command")) {
        assertThat(l).as("exit leaves the script, not the caller's shell").containsIgnoringCase("exit /b");
      }
    }
    assertThat(labels).containsAll(targets);
    assertThat(blockDepthAt(lines.size())).isZero();
  }

  private static int indexOf(java.util.function.Predicate<String> p) {
    for (int i = 0; i < lines.size(); i++) {
      if (p.test(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** ( ) nesting before line {@code end}, outside double quotes and comments; never below zero. */
  private static int blockDepthAt(int end) {
    int depth = 0;
    List<String> seen = new ArrayList<>(lines.subList(0, end));
    for (String l : seen) {
      if (l.stripLeading().toLowerCase().startsWith("rem ") || l.startsWith(":")) {
        continue;
      }
      boolean quoted = false;
      for (char c : l.toCharArray()) {
        if (c == '"') {
          quoted = !quoted;
        } else if (!quoted && c == '(') {
          depth++;
        } else if (!quoted && c == ')') {
          depth--;
          assertThat(depth).as("closing paren without an opening one in: %s", l).isNotNegative();
        }
      }
      assertThat(quoted).as("balanced quotes in: %s", l).isFalse();
    }
    return depth;
  }
}
