package dev.qubix.nix;

import dev.qubix.QubixException;
import java.util.List;

/** {@code nix build} failed. Carries the exit code, what was built, and the last lines of its log. */
public class NixBuildException extends QubixException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;
  private final String attribute;
  private final transient List<String> logTail;

  public NixBuildException(String attribute, int exitCode, List<String> logTail) {
    super("nix build of " + attribute + " failed (exit " + exitCode + ")"
        + (logTail.isEmpty() ? "" : ":\n  " + String.join("\n  ", logTail)));
    this.exitCode = exitCode;
    this.attribute = attribute;
    this.logTail = List.copyOf(logTail);
  }

  public int exitCode() {
    return exitCode;
  }

  public String attribute() {
    return attribute;
  }

  public List<String> logTail() {
    return logTail;
  }
}
