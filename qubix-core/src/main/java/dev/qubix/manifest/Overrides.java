package dev.qubix.manifest;

import dev.qubix.manifest.internal.MergePatch;
import java.util.Optional;

/**
 * Overrides of one machine's manifest: an RFC 7396 JSON merge patch such as {@code {"cpuCount": 4}},
 * parsed and checked once (a bad patch is refused before anything runs) and applied to every read.
 */
public final class Overrides {
  /** No overrides. */
  public static final Overrides NONE = new Overrides(null, null);

  private final String text;
  private final MergePatch patch;

  private Overrides(String text, MergePatch patch) {
    this.text = text;
    this.patch = patch;
  }

  /** The patch in {@code text}; null or blank is {@link #NONE}. Throws a ConfigurationException naming the problem. */
  public static Overrides parse(String text) {
    return text == null || text.isBlank() ? NONE : new Overrides(text, MergePatch.parse(text));
  }

  /** The patch as it was given. */
  public Optional<String> text() {
    return Optional.ofNullable(text);
  }

  Optional<MergePatch> patch() {
    return Optional.ofNullable(patch);
  }

  @Override
  public String toString() {
    return text == null ? "(no overrides)" : text;
  }
}
