package dev.qubix;

import dev.qubix.internal.Engine;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.ImageSet;
import java.util.Map;
import java.util.TreeMap;

/** A validated manifest plus the images built for the chosen backend: ready to recreate. */
public final class BuiltAppliance {
  private final Appliance appliance;
  private final Engine engine;
  private final MachineManifest manifest;
  private final ImageSet images;

  BuiltAppliance(Appliance appliance, Engine engine, MachineManifest manifest, ImageSet images) {
    this.appliance = appliance;
    this.engine = engine;
    this.manifest = manifest;
    this.images = images;
  }

  public MachineManifest manifest() {
    return manifest;
  }

  /** The built images by manifest key, sorted. */
  public Map<String, BuiltImage> images() {
    Map<String, BuiltImage> out = new TreeMap<>();
    images.images().forEach((k, i) -> out.put(k, new BuiltImage(k, i.format(), i.storePath(), i.file())));
    return out;
  }

  public Appliance appliance() {
    return appliance;
  }

  /** What {@code op} would do with these images. */
  public Plan plan(Operation op) {
    return engine.plan(op, manifest, images, appliance.homeRequest());
  }

  /**
   * Replaces the VM's system disk with a fresh one from these images, keeps the home disk, and
   * starts it. Safe to call on a live VM: it is stopped first.
   */
  public Instance recreate() {
    engine.recreate(manifest, images, appliance.homeRequest());
    return new Instance(engine, manifest);
  }
}
