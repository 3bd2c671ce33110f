package dev.qubix.nspawn;

import dev.qubix.Availability;
import dev.qubix.nspawn.internal.NspawnBackend;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;

/**
 * A declared stub: never available, lowest priority (auto-selection never picks it). Chosen
 * explicitly, every operation fails with the same message; {@code plan} still works and says so.
 */
public final class NspawnBackendProvider implements BackendProvider {
  public static final String NAME = "nspawn";
  public static final String NOT_IMPLEMENTED = "nspawn backend is planned, not implemented: use microvm on Linux";
  public static final String FIX = "select microvm: withBackend(\"microvm\"), --backend microvm or QUBIX_BACKEND=microvm";

  public String name() { return NAME; }
  public int priority() { return 0; }
  public Availability probe(HostInfo host) { return Availability.unavailable(NOT_IMPLEMENTED, FIX); }
  public Backend open(BackendContext context) { return new NspawnBackend(context); }
}
