package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.hyperv.ElevationRequiredException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The elevated run of qubixctl.cmd gets the first run's arguments unchanged, or is refused with a
 * reason: the argument file is read back by a real {@code java @file} (the launcher's argument-file
 * parser is the same code on every OS), and the elevated script carries every value as base64.
 */
class ElevatedRelaunchTest {
  @TempDir Path tmp;

  /** What cmd.exe, PowerShell and the argument-file parser each treat specially, and non-ASCII. */
  static final List<String> HOSTILE = List.of("up", "C:\\Program Files\\Qubix Release\\", "--release-key",
      "C:\\Users\\Zoë Ünal\\keys\\publisher key.pub", "R&D", "a^b^^c", "100%", "%PATH%", "!var!", "\"quoted\"",
      "say \"hi\" & exit", "'single'", "(paren)", "a|b<c>d", "#not-a-comment", "@not-a-file", "tab\there",
      "line\nbreak", "back\\\\slashes\\", "$env:USERNAME", "`tick`", "; Remove-Item x", "日本語", "--overrides",
      "{\"cpuCount\":4}");

  private ElevatedRelaunch.Launch launch(List<String> args, java.nio.charset.Charset cs) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ElevatedRelaunch.Launch(java, List.of("-Dqubix.test=a b"), System.getProperty("java.class.path"),
        ArgsEcho.class.getName(), args, tmp, Map.of("QUBIX_STATE_DIR", "C:\\state 'dir' & more"), cs);
  }

  @Test
  void theElevatedJavaReceivesEveryArgumentUnchanged() throws Exception {
    Path dir = tmp.resolve("elevate");
    ElevatedRelaunch.write(dir, launch(HOSTILE, StandardCharsets.UTF_8));

    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + dir.resolve(ElevatedRelaunch.ARGFILE)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().map(l -> new String(Base64.getDecoder().decode(l), StandardCharsets.UTF_8)).toList())
        .containsExactlyElementsOf(concat(List.of("prop=a b"), HOSTILE));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  @Test
  void anArgumentTheCodePageCannotCarryIsRefusedAndNothingIsWritten() {
    Path dir = tmp.resolve("refused");

    assertThatThrownBy(() -> ElevatedRelaunch.write(dir, launch(List.of("up", "Zoë"), StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("US-ASCII")
        .hasMessageContaining("run qubixctl from an elevated shell");
    assertThat(dir).doesNotExist();
  }

  @Test
  void anEmptyArgumentIsRefusedByPosition() {
    assertThatThrownBy(() -> ElevatedRelaunch.write(tmp.resolve("e"), launch(List.of("up", ""), StandardCharsets.UTF_8)))
        .hasMessageStartingWith("argument 2 is empty");
  }

  @Test
  void aFolderThatAlreadyExistsIsNotTrusted() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("someone-elses"));

    assertThatThrownBy(() -> ElevatedRelaunch.write(dir, launch(List.of("up"), StandardCharsets.UTF_8)))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void theElevatedScriptHoldsValuesOnlyAsBase64AndChecksTheArgumentFile() throws Exception {
    Path dir = tmp.resolve("elevate");
    ElevatedRelaunch.write(dir, launch(HOSTILE, StandardCharsets.UTF_8));

    String script = new String(Base64.getDecoder().decode(
        Files.readString(dir.resolve(ElevatedRelaunch.ENCODED_COMMAND))), StandardCharsets.UTF_16LE);
    String sha = java.util.HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(dir.resolve(ElevatedRelaunch.ARGFILE))));

    assertThat(script).contains("Get-FileHash -Algorithm SHA256", "'" + sha + "'", "Set-Location -LiteralPath",
        "('@' + $argfile)", "exit $rc", b64(dir.toString()), b64("QUBIX_STATE_DIR"), b64("C:\\state 'dir' & more"));
    assertThat(script).doesNotContain("C:\\state", tmp.toString(), "R&D", "Zoë");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void thisJvmsLaunchNamesItsJavaAnAbsoluteClassPathAndQubixCtl() {
    ElevatedRelaunch.Launch l = ElevatedRelaunch.current(new String[] {"up", "spotibox"});

    assertThat(l.java()).isAbsolute().exists();
    assertThat(l.classPath().split(java.io.File.pathSeparator)).allMatch(p -> Path.of(p).isAbsolute());
    assertThat(l.mainClass()).isEqualTo(QubixCtl.class.getName());
    assertThat(l.args()).containsExactly("up", "spotibox");
    assertThat(l.workingDir()).isAbsolute();
    assertThat(l.env().keySet()).allMatch(k -> k.startsWith("QUBIX_")).doesNotContain(ElevatedRelaunch.DIR_VARIABLE);
  }

  @Test
  void onlyTheElevationErrorExitsFour() {
    assertThat(QubixCtl.exitCode(new ElevationRequiredException("needs an elevated shell"))).isEqualTo(4);
    assertThat(QubixCtl.exitCode(new dev.qubix.BackendUnavailableException("Hyper-V missing"))).isEqualTo(3);
  }

  /** Prints a system property and its arguments, base64 per line, so any character shows exactly. */
  public static final class ArgsEcho {
    public static void main(String[] args) {
      Base64.Encoder e = Base64.getEncoder();
      System.out.println(e.encodeToString(("prop=" + System.getProperty("qubix.test")).getBytes(StandardCharsets.UTF_8)));
      for (String a : args) {
        System.out.println(e.encodeToString(a.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }
}
