package dev.qubix.examples.cli.support;

import dev.qubix.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.FakeBackend;

/**
 * A backend without home operations, for the CLI's refusal paths: every real backend (microvm,
 * Hyper-V, nspawn) now keeps home backups. Found by name ("homeless") through this module's test
 * resources; the lowest priority, so nothing selects it unasked.
 */
public final class HomelessBackend implements BackendProvider {
  private static final BackendProvider FAKE = new FakeBackend("homeless", -1000).provider();

  @Override
  public String name() {
    return FAKE.name();
  }

  @Override
  public int priority() {
    return FAKE.priority();
  }

  @Override
  public Availability probe(HostInfo host) {
    return FAKE.probe(host);
  }

  @Override
  public Backend open(BackendContext context) {
    return FAKE.open(context);
  }
}
