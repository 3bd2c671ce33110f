package dev.qubix;

import java.util.List;

/**
 * A manifest that cannot be used. Each violation names the JSON pointer of the field and the
 * rule it breaks, e.g. {@code /machines/spotibox/network/staticIp: 192.168.251.10 is outside
 * natSwitchSubnet 192.168.250.0/24}.
 */
public class ManifestException extends ConfigurationException {
  private static final long serialVersionUID = 1L;

  /** One broken rule: where ({@code pointer}) and what ({@code message}). */
  public record Violation(String pointer, String message) {
    @Override
    public String toString() {
      // the document itself has the empty pointer: name it rather than print ": …"
      return (pointer.isEmpty() ? "manifest" : pointer) + ": " + message;
    }
  }

  private final transient List<Violation> violations;

  public ManifestException(List<Violation> violations) {
    super(render(violations));
    this.violations = List.copyOf(violations);
  }

  public ManifestException(String pointer, String message) {
    this(List.of(new Violation(pointer, message)));
  }

  public List<Violation> violations() {
    return violations;
  }

  private static String render(List<Violation> violations) {
    if (violations.size() == 1) {
      return violations.get(0).toString();
    }
    StringBuilder sb = new StringBuilder(violations.size() + " problems in the manifest:");
    violations.forEach(v -> sb.append("\n  ").append(v));
    return sb.toString();
  }
}
