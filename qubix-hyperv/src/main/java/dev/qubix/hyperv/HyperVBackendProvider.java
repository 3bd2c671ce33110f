package dev.qubix.hyperv;

import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.spi.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hyper-V on Windows, from Windows Java or from Java inside WSL (powershell.exe through interop).
 * The probe is cheap: it looks for the Hyper-V management service binary instead of starting PowerShell.
 */
public final class HyperVBackendProvider implements BackendProvider {
  public static final String NAME = "hyperv";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Availability probe(HostInfo host) {
    Path vmms;
    if (host.os() == HostInfo.Os.WINDOWS) {
      vmms = Path.of(host.getenv("SystemRoot").orElse("C:\\Windows"), "System32", "vmms.exe");
    } else if (host.os() == HostInfo.Os.LINUX && host.wsl()) {
      if (host.which("powershell.exe").isEmpty()) {
        return Availability.unavailable("powershell.exe is not reachable from this WSL distribution",
            "enable WSL interop ([interop] enabled=true in /etc/wsl.conf) or run Qubix on Windows");
      }
      vmms = Path.of("/mnt/c/Windows/System32/vmms.exe");
    } else {
      return Availability.unavailable("Hyper-V needs Windows", "use the microvm backend on Linux");
    }
    if (!Files.exists(vmms)) {
      return Availability.unavailable("Hyper-V is not enabled (no " + vmms + ")",
          "Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, then reboot");
    }
    return Availability.available("Hyper-V" + (host.wsl() ? " through WSL interop" : ""));
  }

  @Override
  public Backend open(BackendContext context) {
    return new HyperVBackend(context);
  }
}
