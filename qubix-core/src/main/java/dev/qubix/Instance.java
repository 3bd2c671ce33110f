package dev.qubix;

import dev.qubix.internal.Engine;
import dev.qubix.manifest.MachineManifest;
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

  private final Engine engine;
  private final MachineManifest manifest;

  Instance(Engine engine, MachineManifest manifest) {
    this.engine = engine;
    this.manifest = manifest;
  }

  public String name() {
    return manifest.vmName();
  }

  public MachineManifest manifest() {
    return manifest;
  }

  public String backendName() {
    return engine.backendName();
  }

  public Optional<InstanceStatus> status() {
    return engine.status(manifest);
  }

  public Endpoint endpoint() {
    return engine.endpoint(manifest);
  }

  public Instance start() {
    engine.start(manifest);
    return this;
  }

  public Instance stop() {
    return stop(DEFAULT_GRACE);
  }

  /** Asks the guest to shut down and waits up to {@code grace}; then turns it off. */
  public Instance stop(Duration grace) {
    engine.stop(manifest, grace);
    return this;
  }

  /** Removes the VM. {@link Purge#KEEP_HOME} keeps the home disk for the next recreate. */
  public void destroy(Purge purge) {
    engine.destroy(manifest, purge);
  }

  /** The VM's home disk: backups, restore, export, import (the same as {@link Appliance#home()}). */
  public Home home() {
    return new Home(engine, manifest, java.time.Clock.systemUTC());
  }

  /** Backs the home disk up under {@code name} (see {@link Home#backup(String)}). */
  public HomeBackup backupHome(String name) {
    return home().backup(name);
  }

  /** Waits until RDP answers and opens the default client (none when headless). */
  public Connection connect() {
    return connect(ConnectOptions.defaults());
  }

  public Connection connect(ConnectOptions options) {
    return engine.connect(manifest, options);
  }

  @Override
  public String toString() {
    return "Instance[" + manifest.vmName() + " on " + engine.backendName() + "]";
  }
}
