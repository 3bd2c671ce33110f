package dev.qubix.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WslPathsTest {

  @ParameterizedTest(name = "{0} → {1}:{2}")
  @CsvSource(delimiter = '|', value = {
      "\\\\wsl.localhost\\NixOS\\home\\me\\qubix\\nix | NixOS | /home/me/qubix/nix",
      "\\\\wsl$\\NixOS\\home\\me\\qubix\\nix          | NixOS | /home/me/qubix/nix",
      "\\\\WSL.LOCALHOST\\Ubuntu-24.04\\srv\\flake\\  | Ubuntu-24.04 | /srv/flake",
      "//wsl.localhost/NixOS/home/me                 | NixOS | /home/me",
      "\\\\wsl.localhost\\NixOS                       | NixOS | /",
      "C:\\Users\\me\\qubix                           | NixOS | /mnt/c/Users/me/qubix",
      "c:\\Users\\me\\qubix                           | NixOS | /mnt/c/Users/me/qubix",
      "D:\\                                          | NixOS | /mnt/d",
      "C:\\Users\\Jörg Müller\\My Flakes\\nix         | NixOS | /mnt/c/Users/Jörg Müller/My Flakes/nix",
      "C:\\Users\\山田\\qubix                          | NixOS | /mnt/c/Users/山田/qubix",
      "E:/mixed/slashes\\here                        | NixOS | /mnt/e/mixed/slashes/here"})
  void mapsWindowsPathsIntoWsl(String windows, String distro, String linux) {
    assertThat(WslPaths.toLinux(windows, "NixOS")).isEqualTo(new WslPaths.Location(distro, linux));
  }

  @ParameterizedTest(name = "{1} → {2}")
  @CsvSource(delimiter = '|', value = {
      "NixOS  | /nix/store/abc-x/y.vhdx         | \\\\wsl.localhost\\NixOS\\nix\\store\\abc-x\\y.vhdx",
      "Ubuntu | /home/me/a b/ü                  | \\\\wsl.localhost\\Ubuntu\\home\\me\\a b\\ü",
      "NixOS  | /mnt/c/Users/me/qubix           | C:\\Users\\me\\qubix",
      "NixOS  | /                               | \\\\wsl.localhost\\NixOS\\"})
  void mapsLinuxPathsOutOfWsl(String distro, String linux, String windows) {
    assertThat(WslPaths.toWindows(distro, linux)).isEqualTo(windows);
  }

  @ParameterizedTest
  @ValueSource(strings = {"relative\\path", "\\\\server\\share\\x", "C:\\a\\..\\..\\Windows", "", "C:\\a\nb", "x:"})
  void rejectsPathsItCannotMap(String windows) {
    assertThatThrownBy(() -> WslPaths.toLinux(windows, "NixOS")).isInstanceOf(ConfigurationException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nix/store/x", "/nix/../etc/passwd"})
  void rejectsLinuxPathsItCannotMap(String linux) {
    assertThatThrownBy(() -> WslPaths.toWindows("NixOS", linux)).isInstanceOf(ConfigurationException.class);
  }

  @org.junit.jupiter.api.Test
  void distroComesFromTheUncPathOnly() {
    assertThat(WslPaths.distroOf("\\\\wsl$\\Debian\\x")).contains("Debian");
    assertThat(WslPaths.distroOf("C:\\x")).isEmpty();
  }
}
