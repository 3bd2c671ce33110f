package dev.qubix.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The images a build produced, by manifest key ("hyperv", "microvm", "home"), and how to keep their
 * store paths alive while a VM uses them. Empty for a plan before any build.
 */
public record ImageSet(Map<String, Image> images, GcRoots roots) {

  public ImageSet {
    images = Map.copyOf(images);
    roots = roots == null ? GcRoots.NONE : roots;
  }

  /** Images no store owns: nothing to root. */
  public ImageSet(Map<String, Image> images) {
    this(images, GcRoots.NONE);
  }

  public static ImageSet empty() {
    return new ImageSet(Map.of());
  }

  public Optional<Image> get(String key) {
    return Optional.ofNullable(images.get(key));
  }

  public boolean isBuilt() {
    return !images.isEmpty();
  }
}
