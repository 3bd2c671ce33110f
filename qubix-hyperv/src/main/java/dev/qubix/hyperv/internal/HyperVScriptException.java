package dev.qubix.hyperv.internal;

import dev.qubix.QubixException;

/**
 * A script reported an error line: what failed, at which step (empty: before the first step, so
 * nothing changed), its category ("invalid-parameter", "netnat-conflict", "timeout", …) and the fix.
 */
public final class HyperVScriptException extends QubixException {
  private static final long serialVersionUID = 1L;
  private final String category;
  private final String step;

  public HyperVScriptException(String script, String message, String category, String fix, String step) {
    super(text(script, message, fix, step));
    this.category = category;
    this.step = step;
  }

  static String text(String script, String message, String fix, String step) {
    return script + (step == null || step.isBlank() ? "" : " at step " + step) + ": " + message
        + (fix == null || fix.isBlank() ? "" : " — " + fix);
  }

  public String category() {
    return category;
  }

  public String step() {
    return step;
  }
}
