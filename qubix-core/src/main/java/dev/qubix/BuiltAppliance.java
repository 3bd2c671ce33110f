package dev.qubix;

import dev.qubix.internal.ApplianceLock;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.ImageSet;

/** A validated manifest plus the images built for the chosen backend: ready to recreate. */
public final class BuiltAppliance {
  private final Appliance appliance;
  private final Backend backend;
  private final MachineManifest manifest;
  private final ImageSet images;

  BuiltAppliance(Appliance appliance, Backend backend, MachineManifest manifest, ImageSet images) {
    this.appliance = appliance;
    this.backend = backend;
    this.manifest = manifest;
    this.images = images;
  }

  public MachineManifest manifest() {
    return manifest;
  }

  public ImageSet images() {
    return images;
  }

  public Appliance appliance() {
    return appliance;
  }

  /** What {@link #recreate()} would do. */
  public Plan plan(Operation op) {
    return backend.plan(op, manifest, images);
  }

  /**
   * Replaces the VM's system disk with a fresh one from these images, keeps the home disk, and
   * starts it. Safe to call on a live VM: it is stopped first.
   */
  public Instance recreate() {
    appliance.requireAvailable(backend);
    try (ApplianceLock l = appliance.lock("recreate")) {
      return recreateLocked();
    }
  }

  Instance recreateLocked() {
    return backend.recreate(manifest, images).withLockWait(appliance.lockWait());
  }
}
