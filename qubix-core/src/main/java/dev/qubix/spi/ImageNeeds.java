package dev.qubix.spi;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The manifest images a backend boots from: {@code required} ones must be built before a recreate;
 * {@code optional} ones are used when the manifest has them (a home seed image).
 */
public record ImageNeeds(Set<String> required, Set<String> optional) {

  public ImageNeeds {
    required = Set.copyOf(required);
    optional = Set.copyOf(optional);
  }

  public static ImageNeeds none() {
    return new ImageNeeds(Set.of(), Set.of());
  }

  /** Every key, required first: what a builder is asked for. */
  public Set<String> keys() {
    Set<String> all = new LinkedHashSet<>(required);
    all.addAll(optional);
    return all;
  }
}
