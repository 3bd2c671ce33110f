package dev.qubix.nspawn.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.nspawn.NspawnBackendProvider;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.ImageSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Every operation refuses with the provider's message; nothing is ever read or written. */
public final class NspawnBackend implements Backend {
  private final BackendContext context;

  public NspawnBackend(BackendContext context) {
    this.context = context;
  }

  @Override
  public String name() {
    return NspawnBackendProvider.NAME;
  }

  /** None: there is nothing to build for a backend that cannot run. */
  @Override
  public Set<String> imageKeys() {
    return Set.of();
  }

  @Override
  public Plan plan(Operation op, MachineManifest m, ImageSet images) {
    return new Plan(op, name(), m.name(), List.of(Step.of("not-implemented",
        NspawnBackendProvider.NOT_IMPLEMENTED + " (" + NspawnBackendProvider.FIX + ")")));
  }

  @Override
  public Instance recreate(MachineManifest m, ImageSet images) {
    throw refusal();
  }

  @Override
  public Optional<InstanceStatus> status(MachineManifest m) {
    throw refusal();
  }

  @Override
  public void start(MachineManifest m) {
    throw refusal();
  }

  @Override
  public void stop(MachineManifest m, Duration grace) {
    throw refusal();
  }

  @Override
  public void destroy(MachineManifest m, Purge purge) {
    throw refusal();
  }

  @Override
  public Endpoint endpoint(MachineManifest m) {
    throw refusal();
  }

  @Override
  public Optional<Process> openClient(MachineManifest m, Endpoint endpoint) {
    throw refusal();
  }

  @Override
  public List<String> gc(MachineManifest m) {
    throw refusal();
  }

  @Override
  public BackendContext context() {
    return context;
  }

  private static BackendUnavailableException refusal() {
    return new BackendUnavailableException(NspawnBackendProvider.NOT_IMPLEMENTED + " — " + NspawnBackendProvider.FIX);
  }
}
