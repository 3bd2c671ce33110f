package dev.qubix.hyperv;

import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.Availability;
import dev.qubix.hyperv.internal.HyperVManifestRules;
import dev.qubix.manifest.ManifestRules;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hyper-V on Windows, from Windows Java or from Java inside WSL (powershell.exe through interop).
 * The probe only looks at files: the Hyper-V service binary and the Hyper-V PowerShell module
 * folder. Starting PowerShell to ask would cost up to a second on every backend listing.
 */
public final class HyperVBackendProvider implements BackendProvider {
  public static final String NAME = "hyperv";
  private static final String ENABLE = "Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All "
      + "in an elevated PowerShell, then reboot";

  @Override
  public String name() {
    return NAME;
  }

  /** Above microvm (50): on a Windows host with Hyper-V this is the backend to use. */
  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Availability probe(HostInfo host) {
    Path system32;
    if (host.os() == HostInfo.Os.WINDOWS) {
      system32 = Path.of(host.getenv("SystemRoot").orElse("C:\\Windows"), "System32");
    } else if (host.os() == HostInfo.Os.LINUX && host.wsl()) {
      if (host.which("powershell.exe").isEmpty()) {
        return Availability.unavailable("powershell.exe is not reachable from this WSL distribution",
            "enable WSL interop ([interop] enabled=true and appendWindowsPath=true in /etc/wsl.conf), or run Qubix on Windows");
      }
      system32 = Path.of(host.getenv("QUBIX_WINDOWS_ROOT").orElse("/mnt/c/Windows"), "System32");
    } else {
      return Availability.unavailable("Hyper-V needs Windows", "use the microvm backend on Linux");
    }
    if (!Files.exists(system32.resolve("vmms.exe"))) {
      return Availability.unavailable("Hyper-V is not enabled (no " + system32.resolve("vmms.exe") + ")", ENABLE);
    }
    Path module = system32.resolve("WindowsPowerShell").resolve("v1.0").resolve("Modules").resolve("Hyper-V");
    if (!Files.isDirectory(module)) {
      return Availability.unavailable("the Hyper-V PowerShell module is missing (no " + module + ")", ENABLE);
    }
    return Availability.available("Hyper-V" + (host.wsl() ? " through WSL interop" : ""));
  }

  @Override
  public Backend open(BackendContext context) {
    return new HyperVBackend(context);
  }

  /** The {@code hyperv} section (vmRoot, switchName, generation, secureBoot, wslDistro) and 2 MiB memory pages. */
  @Override
  public ManifestRules manifestRules() {
    return HyperVManifestRules.INSTANCE;
  }
}
