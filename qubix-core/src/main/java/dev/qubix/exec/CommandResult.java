package dev.qubix.exec;

import java.time.Duration;
import java.util.List;

/** What a finished program left: its exit code, its whole stdout, and its stderr. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr, Duration took) {

  public boolean ok() {
    return exitCode == 0;
  }

  public List<String> stdoutLines() {
    return Tails.lines(stdout);
  }

  /** The last {@code n} non-blank lines of stderr, for error messages. */
  public List<String> stderrTail(int n) {
    return Tails.last(Tails.lines(stderr), n);
  }
}
