package dev.qubix.spi;

import java.util.Map;
import java.util.Optional;

/** The images a build produced, by manifest key ("hyperv", "microvm", "home"). Empty for a plan before any build. */
public record ImageSet(Map<String, Image> images) {

  public ImageSet {
    images = Map.copyOf(images);
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
