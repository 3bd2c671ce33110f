package dev.qubix;

import dev.qubix.internal.ApplianceLock;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.X224Probe;
import java.time.Duration;
import java.util.Optional;

/**
 * A VM that exists on a backend. The handle is cheap and stateless: a fresh JVM gets one from
 * {@link Appliance#instance()} and can stop, start, connect or destroy the VM. Changes take the
 * VM's lock, so two processes never change one VM at once.
 */
public final class Instance {
  /** How long stop waits for the guest to shut down before forcing it off. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(60);
  static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);

  private final Backend backend;
  private final MachineManifest manifest;
  private final Duration lockWait;

  public Instance(Backend backend, MachineManifest manifest) {
    this(backend, manifest, DEFAULT_LOCK_WAIT);
  }

  Instance(Backend backend, MachineManifest manifest, Duration lockWait) {
    this.backend = backend;
    this.manifest = manifest;
    this.lockWait = lockWait;
  }

  Instance withLockWait(Duration wait) {
    return new Instance(backend, manifest, wait);
  }

  public String name() {
    return manifest.vmName();
  }

  public MachineManifest manifest() {
    return manifest;
  }

  public String backendName() {
    return backend.name();
  }

  public Optional<InstanceStatus> status() {
    return backend.status(manifest);
  }

  public Endpoint endpoint() {
    return backend.endpoint(manifest);
  }

  public Instance start() {
    try (ApplianceLock l = lock("start")) {
      backend.start(manifest);
    }
    return this;
  }

  public Instance stop() {
    return stop(DEFAULT_GRACE);
  }

  /** Asks the guest to shut down and waits up to {@code grace}; then turns it off. */
  public Instance stop(Duration grace) {
    try (ApplianceLock l = lock("stop")) {
      backend.stop(manifest, grace);
    }
    return this;
  }

  /** Removes the VM. {@link Purge#KEEP_HOME} keeps the home disk for the next recreate. */
  public void destroy(Purge purge) {
    try (ApplianceLock l = lock(purge == Purge.EVERYTHING ? "destroy --purge" : "destroy")) {
      backend.destroy(manifest, purge);
    }
  }

  /** Waits until RDP answers and opens the default client (none when headless). */
  public Connection connect() {
    return connect(ConnectOptions.defaults());
  }

  public Connection connect(ConnectOptions options) {
    Endpoint endpoint = options.address().map(a -> Endpoint.parse(a, manifest.rdp().port()))
        .orElseGet(() -> backend.endpoint(manifest));
    X224Probe.awaitReady(endpoint, options.timeout(), backend.context().listener());
    Optional<Process> client = options.launchClient() ? backend.openClient(manifest, endpoint) : Optional.empty();
    return new Connection(endpoint, client);
  }

  private ApplianceLock lock(String operation) {
    // keyed by machine name, like Appliance's lock: both guard the same VM
    return ApplianceLock.acquire(backend.context().stateDir(), manifest.name(), operation, lockWait,
        backend.context().listener());
  }

  @Override
  public String toString() {
    return "Instance[" + manifest.vmName() + " on " + backend.name() + "]";
  }
}
