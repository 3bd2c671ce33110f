package dev.qubix.microvm;

import dev.qubix.microvm.internal.MicrovmBackend;
import dev.qubix.microvm.internal.QemuTools;
import dev.qubix.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.util.Optional;

/** QEMU on Linux: {@code qemu-system-x86_64} (or {@code $QUBIX_QEMU}) and {@code qemu-img}. */
public final class MicrovmBackendProvider implements BackendProvider {
  public static final String NAME = "microvm";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 50;
  }

  @Override
  public Availability probe(HostInfo host) {
    if (host.os() != HostInfo.Os.LINUX) {
      return Availability.unavailable("the microvm backend needs Linux (QEMU)", "use hyperv on Windows");
    }
    QemuTools tools = QemuTools.of(host);
    Optional<String> missing = tools.missing();
    if (missing.isPresent()) {
      return Availability.unavailable(missing.get() + " not found",
          "install QEMU (Debian/Ubuntu: apt-get install qemu-system-x86 qemu-utils) or set QUBIX_QEMU");
    }
    return Availability.available("QEMU " + tools.qemu() + (host.getenv("QUBIX_QEMU_ACCEL").map(a -> ", accel " + a).orElse("")));
  }

  @Override
  public Backend open(BackendContext context) {
    return new MicrovmBackend(context);
  }
}
