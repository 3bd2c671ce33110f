package dev.qubix.nspawn.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.nspawn.NspawnBackendProvider;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.util.List;
import java.util.Optional;

/** Refuses everything with the provider's message, and reads or writes nothing; its plan says so. */
public record NspawnBackend(BackendContext context) implements Backend {
  public String name() { return NspawnBackendProvider.NAME; }
  public ImageNeeds images() { return ImageNeeds.none(); }
  public BackendPlan plan(PlanRequest r) {
    return BackendPlan.builder().step("not-implemented", NspawnBackendProvider.NOT_IMPLEMENTED + " ("
        + NspawnBackendProvider.FIX + ")", () -> { throw refusal(); }).build();
  }

  public Optional<InstanceStatus> inspect(MachineManifest m) { throw refusal(); }
  public Endpoint endpoint(MachineManifest m) { throw refusal(); }
  public List<String> gc(MachineManifest m) { throw refusal(); }

  private static BackendUnavailableException refusal() {
    return new BackendUnavailableException(NspawnBackendProvider.NOT_IMPLEMENTED + " — " + NspawnBackendProvider.FIX);
  }
}
