package dev.qubix.internal;

import dev.qubix.Availability;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.ConfigurationException;
import dev.qubix.Endpoint;
import dev.qubix.HomeBackup;
import dev.qubix.HomeMode;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.HomeSupport;
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
    return plan(op, m, images, HomeRequest.NONE);
  }

  /** What {@code op} would do with these home options; an operation the backend refuses shows as that refusal. */
  public Plan plan(Operation op, MachineManifest m, ImageSet images, HomeRequest home) {
    Optional<String> refused = refusal(op == Operation.UP ? Operation.RECREATE : op, home);
    if (refused.isPresent()) {
      return new Plan(op, backend.name(), m.name(), List.of(Step.of("refused", "refused: " + refused.get())));
    }
    if (op == Operation.UP) {
      Operation actual = upOperation(existing(m), home);
      return backend.plan(new PlanRequest(actual, m, images, null, PlanRequest.Purpose.SHOW, home))
          .describe(Operation.UP, backend.name(), m.name());
    }
    return backend.plan(new PlanRequest(op, m, images, null, PlanRequest.Purpose.SHOW, home)).describe(op, backend.name(), m.name());
  }

  /**
   * UP: absent → RECREATE; stopped in the other home mode → RECREATE (switching modes needs one);
   * stopped → START; running → nothing (START, which does nothing on a running VM).
   */
  private static Operation upOperation(Optional<InstanceStatus> s, HomeRequest home) {
    if (s.isEmpty() || !s.get().isRunning() && HomeMode.of(s.get()) != home.mode()) {
      return Operation.RECREATE;
    }
    return Operation.START;
  }

  /** For plans only: a host that cannot be asked (Hyper-V seen from Linux) shows the VM as absent. */
  private Optional<InstanceStatus> existing(MachineManifest m) {
    try {
      return backend.inspect(m);
    } catch (BackendUnavailableException e) {
      return Optional.empty();
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

  /** The home's backups, oldest first (a read: no lock, no availability check). */
  public List<HomeBackup> homeBackups(MachineManifest m) {
    if (homeSupport().operations().isEmpty()) {
      throw new BackendUnavailableException("the " + backend.name() + " backend keeps no home backups: "
          + "use a backend that does (microvm), or copy its home disk while the VM is off");
    }
    return backend.homeBackups(m);
  }

  private HomeSupport homeSupport() {
    return backend.homeSupport();
  }

  /**
   * Why the backend cannot do {@code op} with {@code home}, or empty: a home operation it does not
   * declare, a disposable home it cannot run, an explicit backup before a recreate it cannot take.
   */
  private Optional<String> refusal(Operation op, HomeRequest home) {
    HomeSupport s = homeSupport();
    if (op.isHome() && !s.supports(op)) {
      return Optional.of("the " + backend.name() + " backend does not support " + op.cliName()
          + (s.operations().isEmpty() ? "" : " (it supports " + s.operations().stream().map(Operation::cliName).sorted().toList() + ")")
          + ": use a backend that does, such as microvm");
    }
    if (op == Operation.RECREATE && home.mode() == HomeMode.DISPOSABLE && !s.disposable()) {
      return Optional.of("the " + backend.name() + " backend cannot run a disposable home: drop --disposable, or use microvm");
    }
    if (op == Operation.RECREATE && home.beforeRecreate().when() == HomeRequest.BeforeRecreate.When.ALWAYS
        && !s.supports(Operation.HOME_BACKUP)) {
      return Optional.of("the " + backend.name() + " backend cannot back up a home: drop --backup-home, or use microvm");
    }
    return Optional.empty();
  }

  private void requireSupported(Operation op, HomeRequest home) {
    refusal(op, home).ifPresent(r -> {
      throw new BackendUnavailableException(r);
    });
  }

  // ---- changes: each under the VM's lock, after the availability check

  /** Replaces the system disk from {@code images}, keeps the home disk, starts the VM. */
  public void recreate(MachineManifest m, ImageSet images) {
    recreate(m, images, HomeRequest.NONE);
  }

  /** {@link #recreate(MachineManifest, ImageSet)} with these home options (mode, backup first). */
  public void recreate(MachineManifest m, ImageSet images, HomeRequest home) {
    requireSupported(Operation.RECREATE, home);
    change(m, "recreate", () -> run(new PlanRequest(Operation.RECREATE, m, images, null, PlanRequest.Purpose.RUN, home)));
  }

  /** Creates the VM if it is missing (building its images only then), starts it if it is stopped. */
  public void up(MachineManifest m, Supplier<ImageSet> images) {
    up(m, images, HomeRequest.NONE);
  }

  /**
   * {@link #up(MachineManifest, Supplier)} in a home mode: a stopped VM in the other mode is
   * recreated in this one; a running one is refused (up never rebuilds a live VM).
   */
  public void up(MachineManifest m, Supplier<ImageSet> images, HomeRequest home) {
    requireSupported(Operation.RECREATE, home);
    change(m, "up", () -> {
      Optional<InstanceStatus> s = backend.inspect(m);
      if (s.isPresent() && s.get().isRunning() && HomeMode.of(s.get()) != home.mode()) {
        throw new ConfigurationException(m.vmName() + " runs with a " + HomeMode.of(s.get()).word() + " home; switching to a "
            + home.mode().word() + " home needs a recreate: run 'qubixctl recreate" + (home.mode() == HomeMode.DISPOSABLE
            ? " --disposable" : "") + " " + m.name() + "' (or stop it first, then up)");
      }
      if (upOperation(s, home) == Operation.RECREATE) {
        run(new PlanRequest(Operation.RECREATE, m, images.get(), null, PlanRequest.Purpose.RUN, home));
      } else if (!s.get().isRunning()) {
        run(PlanRequest.of(Operation.START, m, ImageSet.empty()));
      }
    });
  }

  /**
   * Runs a home operation under the VM's lock. Refused before the lock when the backend does not
   * support it, or when its backup name or file is missing.
   */
  public void home(Operation op, MachineManifest m, HomeRequest home) {
    if (!op.isHome()) {
      throw new IllegalArgumentException(op + " is not a home operation");
    }
    requireSupported(op, home);
    if ((op == Operation.HOME_RESTORE || op == Operation.HOME_DELETE) && home.backup().isEmpty()) {
      throw new ConfigurationException(op.cliName() + " needs the name of a backup ('qubixctl home list " + m.name() + "' shows them)");
    }
    if ((op == Operation.HOME_EXPORT || op == Operation.HOME_IMPORT) && home.file().isEmpty()) {
      throw new ConfigurationException(op.cliName() + " needs a file (.qcow2 or .vhdx)");
    }
    change(m, "home " + op.cliName().substring("home-".length()),
        () -> run(new PlanRequest(op, m, ImageSet.empty(), null, PlanRequest.Purpose.RUN, home)));
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
