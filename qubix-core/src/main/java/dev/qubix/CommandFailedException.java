package dev.qubix;

import java.util.List;

/** An external program exited with a non-zero code. */
public class CommandFailedException extends QubixException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> command;
  private final int exitCode;
  private final transient List<String> stderrTail;

  public CommandFailedException(List<String> command, int exitCode, List<String> stderrTail) {
    super(command.get(0) + " exited with " + exitCode
        + (stderrTail.isEmpty() ? "" : ":\n  " + String.join("\n  ", stderrTail)));
    this.command = List.copyOf(command);
    this.exitCode = exitCode;
    this.stderrTail = List.copyOf(stderrTail);
  }

  public List<String> command() {
    return command;
  }

  public int exitCode() {
    return exitCode;
  }

  public List<String> stderrTail() {
    return stderrTail;
  }
}
