package dev.qubix.nspawn;

import dev.qubix.Availability;
import dev.qubix.ManifestException.Violation;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ManifestRules;
import dev.qubix.nspawn.internal.NspawnBackend;
import dev.qubix.nspawn.internal.NspawnProbe;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.util.List;

/**
 * systemd-nspawn containers on Linux, as root: for trusted services that need no kernel of their
 * own. Ranked below microvm, so Qubix picks a VM by itself whenever one can run; chosen explicitly
 * ({@code --backend nspawn}) it boots in a fraction of a VM's time.
 */
public final class NspawnBackendProvider implements BackendProvider {
  public static final String NAME = "nspawn";
  /** Below microvm's 50: a VM isolates better than a container. */
  public static final int PRIORITY = 20;

  private final NspawnProbe probe;

  public NspawnBackendProvider() {
    this(new NspawnProbe());
  }

  /** For tests: a probe that sees a different host. */
  public NspawnBackendProvider(NspawnProbe probe) {
    this.probe = probe;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Availability probe(HostInfo host) {
    return probe.probe(host);
  }

  @Override
  public Backend open(BackendContext context) {
    return new NspawnBackend(context);
  }

  /** An nspawn image is a container: a rootfs folder or a NixOS system toplevel, never a disk. */
  @Override
  public ManifestRules manifestRules() {
    return m -> m.image("nspawn").filter(i -> i.format() != null)
        .filter(i -> i.format() != ImageFormat.ROOTFS && i.format() != ImageFormat.NIXOS_SYSTEM)
        .map(i -> List.of(new Violation(m.pointer() + "/images/nspawn/format", "'" + i.format().jsonName()
            + "' is not a container image: nspawn boots rootfs (a folder with /sbin/init) or nixos-system "
            + "(a NixOS toplevel built with boot.isContainer = true)")))
        .orElse(List.of());
  }
}
