package dev.qubix.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qubix.ManifestException;
import dev.qubix.ManifestException.Violation;
import dev.qubix.manifest.internal.Names;
import dev.qubix.manifest.internal.Pointers;
import dev.qubix.manifest.internal.WindowsPathRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads one value of a manifest (an object, an array or a scalar) and the values under it, and
 * records every broken rule as a {@link Violation} with its full JSON pointer, e.g.
 * {@code /machines/spotibox/hyperv/vmRoot}. A read that fails returns null, empty or the default and
 * goes on, so one pass finds every problem; the cursors under one root share its violations.
 *
 * <p>Core reads the common machine fields with it; a backend reads its {@link ManifestSection}:
 * <pre>{@code
 * FieldCursor h = section.cursor();
 * Integer generation = h.get("generation").integer(1, 2, 2);
 * if (!h.violations().isEmpty()) throw new ManifestException(h.violations());
 * }</pre>
 */
public final class FieldCursor {
  /** Longer strings are refused: no manifest field needs them, and they would flood messages and logs. */
  private static final int MAX_TEXT = 4096;

  private final JsonNode node;
  private final String pointer;
  private final List<Violation> violations;

  FieldCursor(JsonNode node, String pointer) {
    this(node, pointer, new ArrayList<>());
  }

  private FieldCursor(JsonNode node, String pointer, List<Violation> violations) {
    this.node = node;
    this.pointer = pointer;
    this.violations = violations;
  }

  /** The JSON pointer of this value in the whole manifest document. */
  public String pointer() {
    return pointer;
  }

  // ---- where the cursor is ----

  /** The field {@code name} of this object; a missing value when it has none or this is not an object. */
  public FieldCursor get(String name) {
    return new FieldCursor(node.path(name), pointer + "/" + Pointers.escape(name), violations);
  }

  /** The field names of this object, in document order; none when this is not an object. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    if (node.isObject()) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  /** The elements of this array; none when this is not an array. */
  public List<FieldCursor> items() {
    List<FieldCursor> items = new ArrayList<>();
    for (int i = 0; i < (node.isArray() ? node.size() : 0); i++) {
      items.add(new FieldCursor(node.get(i), pointer + "/" + i, violations));
    }
    return items;
  }

  /** The field is absent (an explicit null is not missing: see {@link #isNull}). */
  public boolean isMissing() {
    return node.isMissingNode();
  }

  public boolean isNull() {
    return node.isNull();
  }

  /** Neither missing nor null. */
  public boolean isPresent() {
    return !node.isMissingNode() && !node.isNull();
  }

  public boolean isObject() {
    return node.isObject();
  }

  public boolean isArray() {
    return node.isArray();
  }

  /** The value as a message shows it: {@code 'text'} (printable, shortened), {@code 5}, or its JSON type when long. */
  public String describe() {
    if (node.isTextual()) {
      return "'" + Names.printable(node.asText()) + "'";
    }
    String json = node.toString();
    return json.length() > 60 ? node.getNodeType().toString().toLowerCase(Locale.ROOT) : json;
  }

  // ---- typed reads: each records a violation and returns null, empty or the default on failure ----

  /** A required string. */
  public String text() {
    if (!isPresent()) {
      fail("missing (required)");
      return null;
    }
    return string();
  }

  /** A string, or empty when missing or null. */
  public Optional<String> optionalText() {
    return isPresent() ? Optional.ofNullable(string()) : Optional.empty();
  }

  /** A required string that {@code valid} accepts; otherwise {@code '<value>' <problem>}. */
  public String text(Predicate<String> valid, String problem) {
    String s = text();
    return s == null || accepted(s, valid, problem) ? s : null;
  }

  /** A string that {@code valid} accepts, or empty when missing; otherwise {@code '<value>' <problem>}. */
  public Optional<String> optionalText(Predicate<String> valid, String problem) {
    return optionalText().filter(s -> accepted(s, valid, problem));
  }

  /**
   * This value as {@code parser} turns it into one. Anything else (missing, null, not a string, or a
   * string the parser refuses) is {@code <value> <problem>}: check {@link #isPresent} first where
   * the value is optional.
   */
  public <T> Optional<T> parsed(Function<String, Optional<T>> parser, String problem) {
    Optional<T> value = node.isTextual() ? parser.apply(node.asText()) : Optional.empty();
    if (value.isEmpty()) {
      fail(describe() + " " + problem);
    }
    return value;
  }

  /** A whole number in {@code min..max}; {@code dflt} when missing (null: required). */
  public Integer integer(int min, int max, Integer dflt) {
    Long v = longValue(min, max, dflt == null ? null : dflt.longValue(), min + ".." + max);
    return v == null ? null : v.intValue();
  }

  /** A whole number in {@code min..max}, where {@code range} says so to a user; {@code dflt} when missing (null: required). */
  public Long longValue(long min, long max, Long dflt, String range) {
    if (!isPresent()) {
      if (dflt == null) {
        fail("missing (required, " + range + ")");
      }
      return dflt;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      fail(describe() + " must be a whole number (" + range + ")");
      return null;
    }
    long v = node.longValue();
    if (v < min || v > max) {
      fail(v + " is out of range: " + range);
      return null;
    }
    return v;
  }

  /** true or false; {@code dflt} when missing, null or not a boolean. */
  public boolean bool(boolean dflt) {
    if (!isPresent()) {
      return dflt;
    }
    if (!node.isBoolean()) {
      fail(describe() + " must be true or false");
      return dflt;
    }
    return node.booleanValue();
  }

  /** A required constant of {@code type}, written in any case; {@code allowed} lists them for the user. */
  public <E extends Enum<E>> E enumValue(Class<E> type, String allowed) {
    String s = text();
    return s == null ? null : constant(type, s, allowed).orElse(null);
  }

  /** A constant of {@code type}, or empty when missing. */
  public <E extends Enum<E>> Optional<E> optionalEnum(Class<E> type, String allowed) {
    return optionalText().flatMap(s -> constant(type, s, allowed));
  }

  /** A required absolute Windows path (drive letter or UNC), without '.' segments or reserved characters. */
  public String windowsPath() {
    String s = text();
    if (s == null) {
      return null;
    }
    Optional<String> problem = WindowsPathRule.problem(s);
    problem.ifPresent(this::fail);
    return problem.isEmpty() ? s : null;
  }

  // ---- violations ----

  /** Records {@code message} against this value unless {@code ok}; returns {@code ok}. */
  public boolean check(boolean ok, String message) {
    if (!ok) {
      fail(message);
    }
    return ok;
  }

  public void fail(String message) {
    violations.add(new Violation(pointer, message));
  }

  /** Every violation recorded so far by this cursor, its root and every cursor under that root. */
  public List<Violation> violations() {
    return Collections.unmodifiableList(new ArrayList<>(violations));
  }

  /** Throws the violations recorded so far as one {@link ManifestException}; does nothing when there are none. */
  public void throwIfInvalid() {
    if (!violations.isEmpty()) {
      throw new ManifestException(violations);
    }
  }

  private String string() {
    if (!node.isTextual()) {
      fail(describe() + " must be a string");
      return null;
    }
    String s = node.asText();
    if (s.indexOf('\0') >= 0) {
      fail("contains a NUL character");
      return null;
    }
    if (s.length() > MAX_TEXT) {
      fail("is " + s.length() + " characters long; at most " + MAX_TEXT + " are allowed");
      return null;
    }
    return s;
  }

  private boolean accepted(String s, Predicate<String> valid, String problem) {
    return check(valid.test(s), "'" + Names.printable(s) + "' " + problem);
  }

  private <E extends Enum<E>> Optional<E> constant(Class<E> type, String s, String allowed) {
    try {
      return Optional.of(Enum.valueOf(type, s.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      fail("'" + Names.printable(s) + "' is not allowed: use " + allowed);
      return Optional.empty();
    }
  }
}
