package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.BackendUnavailableException;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.nix.internal.NixCommand;
import dev.qubix.spi.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How nix is invoked from Windows: through wsl.exe, with paths mapped both ways and words quoted for its shell. */
class NixCommandTest {
  @TempDir Path tmp;
  Path bin;

  @BeforeEach
  void fakeWslExe() throws IOException {
    bin = Files.createDirectories(tmp.resolve("bin"));
    Path wsl = Files.writeString(bin.resolve("wsl.exe"), "");
    Files.setPosixFilePermissions(wsl, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private HostInfo windows(String... env) {
    Map<String, String> m = new HashMap<>(Map.of("Path", bin.toString()));
    for (int i = 0; i < env.length; i += 2) {
      m.put(env[i], env[i + 1]);
    }
    return new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, m);
  }

  @Test
  void windowsRunsNixInsideWslWithTheFlakeMapped() {
    NixCommand nix = NixCommand.forHost(windows(), Path.of("C:\\Users\\me\\qubix\\nix"));

    Command c = nix.build(List.of("qubix-manifest-json", "spotibox-vhdx"), List.of("--option", "cores", "2"));

    assertThat(c.argv()).startsWith("wsl.exe", "-d", "NixOS", "--cd", "/mnt/c/Users/me/qubix/nix", "--", "nix", "build",
        "--no-link", "--json", "-L", "--log-format", "internal-json");
    assertThat(c.argv()).containsSequence("--extra-experimental-features", "\"nix-command flakes\"")
        .containsSequence("--option", "cores", "2")
        .endsWith("path:.#qubix-manifest-json", "path:.#spotibox-vhdx");
    assertThat(c.environment()).containsEntry("WSL_UTF8", "1").doesNotContainKey("WSLENV");
    assertThat(nix.localPath("/nix/store/abc-spotibox-vhdx/disk.vhdx"))
        .isEqualTo(Path.of("\\\\wsl.localhost\\NixOS\\nix\\store\\abc-spotibox-vhdx\\disk.vhdx"));
  }

  @Test
  void wordsTheDistributionShellWouldMangleAreQuoted() {
    NixCommand nix = NixCommand.forHost(windows(), Path.of("C:\\Users\\O'Brien\\a&b (work)\\nix"));

    Command c = nix.build(List.of("x"), List.of("--option", "substituters", "$HOME/cache"));

    // --cd is parsed by wsl.exe itself, not by the shell: it stays as it is
    assertThat(c.argv()).containsSequence("--cd", "/mnt/c/Users/O'Brien/a&b (work)/nix");
    assertThat(c.argv()).contains("\"\\$HOME/cache\"", "path:.#x");
  }

  @Test
  void nixConfigOfTheWindowsSideIsForwardedThroughWslenv() {
    Command c = NixCommand.forHost(windows("NIX_CONFIG", "substituters =", "WSLENV", "USERPROFILE/p"),
        Path.of("C:\\q")).build(List.of("x"), List.of());

    assertThat(c.environment()).containsEntry("WSLENV", "USERPROFILE/p:NIX_CONFIG");
  }

  @Test
  void distroComesFromAUncFlakePathFirst() {
    NixCommand nix = NixCommand.forHost(windows("QUBIX_WSL_DISTRO", "Debian"), Path.of("\\\\wsl$\\Ubuntu\\home\\me\\qubix\\nix"),
        Optional.of("Arch"));

    assertThat(nix.distro()).isEqualTo("Ubuntu");
    assertThat(nix.flakeRef("x")).isEqualTo("path:/home/me/qubix/nix#x");
    assertThat(nix.localPath("/nix/store/a-b")).isEqualTo(Path.of("\\\\wsl.localhost\\Ubuntu\\nix\\store\\a-b"));
  }

  @Test
  void thenQubixWslDistroThenTheManifestThenNixos() {
    Path drive = Path.of("C:\\Users\\me\\qubix\\nix");

    assertThat(NixCommand.forHost(windows("QUBIX_WSL_DISTRO", "Debian"), drive, Optional.of("Arch")).distro()).isEqualTo("Debian");
    assertThat(NixCommand.forHost(windows(), drive, Optional.of("Arch")).distro()).isEqualTo("Arch");
    assertThat(NixCommand.forHost(windows(), drive, Optional.empty()).distro()).isEqualTo("NixOS");
  }

  @Test
  void missingWslExeSaysHowToInstallIt() {
    HostInfo noWsl = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of("Path", tmp.toString()));

    assertThatThrownBy(() -> NixCommand.forHost(noWsl, Path.of("C:\\q")))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("wsl --install");
  }

  @Test
  void missingNixOnLinuxSaysHowToInstallIt() {
    HostInfo linux = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("PATH", tmp.toString()));

    assertThatThrownBy(() -> NixCommand.forHost(linux, tmp))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("install Nix").hasMessageContaining("QUBIX_NIX");
  }

  @Test
  void qubixNixPointsAtTheNixToRun() throws IOException {
    Path nix = Files.writeString(tmp.resolve("my-nix"), "");
    Files.setPosixFilePermissions(nix, PosixFilePermissions.fromString("rwxr-xr-x"));
    HostInfo linux = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("PATH", "", "QUBIX_NIX", nix.toString()));

    Command c = NixCommand.forHost(linux, tmp).build(List.of("a"), List.of());

    assertThat(c.argv()).first().isEqualTo(nix.toString());
    assertThat(c.argv()).last().isEqualTo("path:.#a");
    assertThat(c.workDir()).isEqualTo(tmp);
  }

  @Test
  void aDistributionWithoutNixSaysSo() {
    NixCommand nix = NixCommand.forHost(windows(), Path.of("\\\\wsl.localhost\\Ubuntu\\srv\\nix"));
    List<String> argv = nix.build(List.of("x"), List.of()).argv();
    CommandResult notFound = new CommandResult(argv, 127, "", "/bin/bash: line 1: nix: command not found\n", Duration.ZERO);

    assertThatThrownBy(() -> nix.checkNixFound(notFound))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'Ubuntu'").hasMessageContaining("nix: command not found")
        .hasMessageContaining("install Nix there");
    nix.checkNixFound(new CommandResult(argv, 1, "", "error: …", Duration.ZERO));   // a build failure: not this
  }

  @Test
  void aBuildWithAnOutLinkRootsItsResultsInsteadOfNoLink() {
    NixCommand nix = NixCommand.forHost(windows(), Path.of("C:\\Users\\me\\qubix\\nix"));

    List<String> argv = nix.build(List.of("spotibox-vhdx"), List.of(), "/tmp/qubix-gcroots-qubix-spotibox/build").argv();

    assertThat(argv).containsSequence("build", "--out-link", "/tmp/qubix-gcroots-qubix-spotibox/build", "--json")
        .doesNotContain("--no-link");
    assertThat(nix.build(List.of("x"), List.of()).argv()).contains("--no-link").doesNotContain("--out-link");
  }

  @Test
  void aStorePathIsRootedWithNixBuildOutLink() {
    NixCommand nix = new NixCommand(NixCommand.Mode.LOCAL, "nix", null, tmp, false, "");

    List<String> argv = nix.root(tmp.resolve("gcroots/microvm"), "/nix/store/abc-tiny-direct", List.of()).argv();

    assertThat(argv).startsWith("nix", "build", "--out-link", tmp.resolve("gcroots/microvm").toString())
        .endsWith("/nix/store/abc-tiny-direct");
  }
}
