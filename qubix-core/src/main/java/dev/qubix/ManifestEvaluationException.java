package dev.qubix;

import java.util.List;

/**
 * The flake's manifest evaluation rejected an option: {@code nix/lib/manifest.nix} checks each
 * machine's {@code qubix.*} options while Nix evaluates, so these rules fail as Nix errors rather than
 * in {@link dev.qubix.manifest.ManifestReader}. Invalid input like a {@link ManifestException}
 * (qubixctl exits 2), not a failed build; the Nix log lines are kept.
 */
public class ManifestEvaluationException extends ConfigurationException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> rules;
  private final transient List<String> logTail;

  public ManifestEvaluationException(String attribute, List<String> rules, List<String> logTail) {
    super("the manifest of " + attribute + " is invalid:\n  " + String.join("\n  ", rules)
        + "\nFix the option in the machine's Nix module (e.g. nix/machines/<name>.nix).");
    this.rules = List.copyOf(rules);
    this.logTail = List.copyOf(logTail);
  }

  /** The broken rules, as Nix reported them, e.g. {@code machine box: qubix.vm.cpuCount 0 is out of range 1..64}. */
  public List<String> rules() {
    return rules;
  }

  /** Nix's last lines. */
  public List<String> logTail() {
    return logTail;
  }
}
