package dev.qubix.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A top-level field of a machine that core does not read, such as {@code hyperv}: the backend that
 * owns it reads and validates it with a {@link FieldCursor}, through its {@link ManifestRules}. Core
 * cannot tell a backend's field from one a newer flake adds, so it keeps them all, as they were
 * written. Immutable; equal when name, place and JSON value are.
 */
public final class ManifestSection {
  private final String name;
  private final String pointer;
  private final JsonNode value;

  ManifestSection(String name, String pointer, JsonNode value) {
    this.name = Objects.requireNonNull(name, "name");
    this.pointer = Objects.requireNonNull(pointer, "pointer");
    this.value = value.deepCopy();
  }

  /** The field name, e.g. {@code hyperv}. */
  public String name() {
    return name;
  }

  /** Its JSON pointer, e.g. {@code /machines/spotibox/hyperv}. */
  public String pointer() {
    return pointer;
  }

  /**
   * A new cursor on the section's value, with no violations yet. The value may be anything a
   * manifest holds (the owner decides that an object is required, and says so).
   */
  public FieldCursor cursor() {
    return new FieldCursor(value, pointer);
  }

  /** For {@link ManifestWriter}: the value, never handed out (a JsonNode is mutable). */
  JsonNode value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ManifestSection s && name.equals(s.name) && pointer.equals(s.pointer) && value.equals(s.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, pointer, value);
  }

  @Override
  public String toString() {
    return pointer + ": " + value;
  }
}
