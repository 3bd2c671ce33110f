package dev.qubix.nspawn;

import dev.qubix.nspawn.internal.NspawnBackend;
import dev.qubix.spi.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;

/**
 * A declared stub: its probe always says it is not implemented, and its priority is the lowest,
 * so auto-selection never picks it. Chosen explicitly, every operation fails with the same
 * message; {@code plan} still works (it is pure) and says so in its one step.
 */
public final class NspawnBackendProvider implements BackendProvider {
  public static final String NAME = "nspawn";

  /** The one answer this backend gives, on every host. */
  public static final String NOT_IMPLEMENTED = "nspawn backend is planned, not implemented: use microvm on Linux";

  /** How to get a working backend instead. */
  public static final String FIX = "select microvm: withBackend(\"microvm\"), --backend microvm or QUBIX_BACKEND=microvm";

  @Override
  public String name() {
    return NAME;
  }

  /** Lowest: even were the probe to change, a real backend wins. */
  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Availability probe(HostInfo host) {
    return Availability.unavailable(NOT_IMPLEMENTED, FIX);
  }

  @Override
  public Backend open(BackendContext context) {
    return new NspawnBackend(context);
  }
}
