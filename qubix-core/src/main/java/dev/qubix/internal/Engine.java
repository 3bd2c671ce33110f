package dev.qubix.internal;

import dev.qubix.Availability;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import dev.qubix.spi.X224Probe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Owns a VM's lifecycle on one backend: the lock (keyed by the VM, the resource it guards), one
 * cached availability check before every change, what "up" means, running the backend's planned
 * steps, and connecting. Backends only plan and act.
 */
public final class Engine {
  private final BackendProvider provider;
  private final Backend backend;
  private final Duration lockWait;
  private Availability availability;

  public Engine(BackendProvider provider, BackendContext context, Duration lockWait) {
    this.provider = provider;
    this.backend = provider.open(context);
    this.lockWait = lockWait;
  }

  public String backendName() {
    return backend.name();
  }

  public ImageNeeds images() {
    return backend.images();
  }

  private BackendContext context() {
    return backend.context();
  }

  // ---- reading: no lock, no availability check (a plan works on an unavailable backend)

  public Optional<InstanceStatus> status(MachineManifest m) {
    return backend.inspect(m);
  }

  /** What {@code op} would do. UP is decided here, the same way {@link #up} decides it. */
  public Plan plan(Operation op, MachineManifest m, ImageSet images) {
    if (op == Operation.UP) {
      Operation actual = exists(m) ? Operation.START : Operation.RECREATE;
      return backend.plan(PlanRequest.show(actual, m, images)).describe(Operation.UP, backend.name(), m.name());
    }
    return backend.plan(PlanRequest.show(op, m, images)).describe(op, backend.name(), m.name());
  }

  /** For plans only: a host that cannot be asked (Hyper-V seen from Linux) shows the VM as absent. */
  private boolean exists(MachineManifest m) {
    try {
      return backend.inspect(m).isPresent();
    } catch (BackendUnavailableException e) {
      return false;
    }
  }

  public Endpoint endpoint(MachineManifest m) {
    return backend.endpoint(m);
  }

  /** Waits until RDP answers and opens the default client (none when headless). */
  public Connection connect(MachineManifest m, ConnectOptions options) {
    Endpoint endpoint = options.address().map(a -> Endpoint.parse(a, m.rdp().port())).orElseGet(() -> backend.endpoint(m));
    X224Probe.awaitReady(endpoint, options.timeout(), context().listener());
    Optional<Process> client = options.launchClient()
        ? backend.openClient(m, endpoint, backend.rdpPassword(m)) : Optional.empty();
    return new Connection(endpoint, client);
  }

  public List<InstanceStatus> list() {
    return backend.list();
  }

  // ---- changes: each under the VM's lock, after the availability check

  /** Replaces the system disk from {@code images}, keeps the home disk, starts the VM. */
  public void recreate(MachineManifest m, ImageSet images) {
    change(m, "recreate", () -> run(PlanRequest.of(Operation.RECREATE, m, images)));
  }

  /** Creates the VM if it is missing (building its images only then), starts it if it is stopped. */
  public void up(MachineManifest m, Supplier<ImageSet> images) {
    change(m, "up", () -> {
      Optional<InstanceStatus> s = backend.inspect(m);
      if (s.isEmpty()) {
        run(PlanRequest.of(Operation.RECREATE, m, images.get()));
      } else if (!s.get().isRunning()) {
        run(PlanRequest.of(Operation.START, m, ImageSet.empty()));
      }
    });
  }

  public void start(MachineManifest m) {
    change(m, "start", () -> run(PlanRequest.of(Operation.START, m, ImageSet.empty())));
  }

  public void stop(MachineManifest m, Duration grace) {
    change(m, "stop", () -> run(new PlanRequest(Operation.STOP, m, ImageSet.empty(), grace, PlanRequest.Purpose.RUN)));
  }

  public void destroy(MachineManifest m, Purge purge) {
    Operation op = purge == Purge.EVERYTHING ? Operation.PURGE : Operation.DESTROY;
    change(m, purge == Purge.EVERYTHING ? "destroy --purge" : "destroy", () -> run(PlanRequest.of(op, m, ImageSet.empty())));
  }

  public void rotateSecret(MachineManifest m) {
    change(m, "secret rotate", () -> backend.rotateSecret(m));
  }

  public List<String> gc(MachineManifest m) {
    requireAvailable();
    try (ApplianceLock l = lock(m, "gc")) {
      return backend.gc(m);
    }
  }

  private void run(PlanRequest request) {
    BackendPlan plan = backend.plan(request);
    new StepExecutor(context().listener()).run(plan);
  }

  private void change(MachineManifest m, String operation, Runnable body) {
    requireAvailable();
    try (ApplianceLock l = lock(m, operation)) {
      body.run();
    }
  }

  /** Probed once per engine: a handle reused for many changes asks the host once. */
  public void requireAvailable() {
    if (availability == null) {
      availability = provider.probe(context().host());
    }
    if (availability instanceof Availability.Unavailable u) {
      throw new BackendUnavailableException("backend " + backend.name() + " cannot run here: " + u);
    }
  }

  private ApplianceLock lock(MachineManifest m, String operation) {
    return ApplianceLock.acquire(context().stateDir(), m.vmName(), operation, lockWait, context().listener());
  }
}
