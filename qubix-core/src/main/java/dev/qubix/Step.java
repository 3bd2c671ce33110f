package dev.qubix;

import java.util.Map;

/**
 * One step of a {@link Plan}: a stable {@code id}, a sentence for people, and details for machines
 * (for Hyper-V: the script and its decoded parameters).
 */
public record Step(String id, String description, Map<String, Object> details) {

  public Step {
    details = Map.copyOf(details);
  }

  public static Step of(String id, String description) {
    return new Step(id, description, Map.of());
  }
}
