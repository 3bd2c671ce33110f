package dev.qubix.hyperv.internal;

import dev.qubix.QubixException;

/** A script reported an error line: its message, category ("permission", "error") and fix. */
public final class HyperVScriptException extends QubixException {
  private static final long serialVersionUID = 1L;
  private final String category;

  public HyperVScriptException(String script, String message, String category, String fix) {
    super(script + ": " + message + (fix == null || fix.isBlank() ? "" : " — " + fix));
    this.category = category;
  }

  public String category() {
    return category;
  }
}
