package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Availability;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe looks at files only. A Windows tree is laid out in a temporary folder (SystemRoot points
 * there), which is all the probe reads.
 */
class ProviderProbeTest {
  private final HyperVBackendProvider provider = new HyperVBackendProvider();

  private static HostInfo windows(Path systemRoot) {
    return new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of("SystemRoot", systemRoot.toString()));
  }

  @Test
  void onLinuxHyperVIsUnavailableWithoutStartingAnything() {
    Availability a = provider.probe(new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of()));

    assertThat(a).isEqualTo(Availability.unavailable("Hyper-V needs Windows", "use the microvm backend on Linux"));
  }

  @Test
  void windowsWithoutHyperVSaysHowToEnableIt(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("System32"));

    Availability a = provider.probe(windows(root));

    assertThat(a.isAvailable()).isFalse();
    assertThat(a.toString()).contains("Hyper-V is not enabled").contains("Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All");
  }

  @Test
  void windowsWithHyperVButWithoutItsPowerShellModuleSaysSo(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("System32"));
    Files.createFile(root.resolve("System32/vmms.exe"));

    assertThat(provider.probe(windows(root)).toString()).contains("the Hyper-V PowerShell module is missing");
  }

  @Test
  void windowsWithHyperVAndItsModuleIsAvailable(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("System32/WindowsPowerShell/v1.0/Modules/Hyper-V"));
    Files.createFile(root.resolve("System32/vmms.exe"));

    assertThat(provider.probe(windows(root))).isEqualTo(Availability.available("Hyper-V"));
  }

  @Test
  void wslWithoutInteropCannotReachPowerShell() {
    Availability a = provider.probe(new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("PATH", "/usr/bin")));

    assertThat(a.toString()).contains("powershell.exe is not reachable").contains("interop");
  }

  @Test
  void registeredAsServiceAboveMicrovm() {
    assertThat(ServiceLoader.load(dev.qubix.spi.BackendProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(HyperVBackendProvider.class);
    assertThat(provider.name()).isEqualTo("hyperv");
    assertThat(provider.priority()).isGreaterThan(50);
  }
}
