package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.Command;
import dev.qubix.nix.internal.NixCommand;
import dev.qubix.spi.HostInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How nix is invoked from Windows: through wsl.exe, with paths mapped both ways. */
class NixCommandTest {
  private static final HostInfo WINDOWS = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of());

  @Test
  void windowsRunsNixInsideWslWithTheFlakeMapped() {
    NixCommand nix = NixCommand.forHost(WINDOWS, Path.of("C:\\Users\\me\\qubix\\nix"));

    Command c = nix.build(List.of("qubix-manifest-json", "spotibox-vhdx"), List.of("--option", "cores", "2"));

    assertThat(c.argv()).startsWith("wsl.exe", "-d", "NixOS", "--cd", "/mnt/c/Users/me/qubix/nix", "--", "nix", "build",
        "--no-link", "--json");
    assertThat(c.argv()).containsSequence("--extra-experimental-features", "nix-command flakes")
        .containsSequence("--option", "cores", "2")
        .endsWith("path:/mnt/c/Users/me/qubix/nix#qubix-manifest-json", "path:/mnt/c/Users/me/qubix/nix#spotibox-vhdx");
    assertThat(nix.localPath("/nix/store/abc-spotibox-vhdx/disk.vhdx"))
        .isEqualTo(Path.of("\\\\wsl.localhost\\NixOS\\nix\\store\\abc-spotibox-vhdx\\disk.vhdx"));
  }

  @Test
  void distroComesFromAUncFlakePath() {
    NixCommand nix = NixCommand.forHost(WINDOWS, Path.of("\\\\wsl$\\Ubuntu\\home\\me\\qubix\\nix"));

    assertThat(nix.distro()).isEqualTo("Ubuntu");
    assertThat(nix.flakeRef("x")).isEqualTo("path:/home/me/qubix/nix#x");
  }
}
