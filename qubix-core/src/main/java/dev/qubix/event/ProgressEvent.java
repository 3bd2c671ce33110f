package dev.qubix.event;

import java.time.Duration;

/**
 * Something a long-running operation wants its caller to see. The set is closed so that a
 * listener can switch over it exhaustively.
 */
public sealed interface ProgressEvent
    permits ProgressEvent.StepStarted, ProgressEvent.StepFinished, ProgressEvent.BytesCopied,
        ProgressEvent.NixActivity, ProgressEvent.Waiting, ProgressEvent.Log {

  /** A plan step began; {@code index} counts from 1 up to {@code total}. */
  record StepStarted(String step, String description, int index, int total) implements ProgressEvent {}

  /** A plan step ended, successfully or not. */
  record StepFinished(String step, Duration took, boolean ok) implements ProgressEvent {}

  /** Progress of a copy; {@code total} is -1 when unknown. */
  record BytesCopied(String what, long done, long total) implements ProgressEvent {}

  /**
   * A Nix activity (build, download, copy) as reported by Nix's log. {@code done} and
   * {@code expected} are Nix's own progress counters (-1 when Nix gave none).
   */
  record NixActivity(long id, Phase phase, String kind, String text, long done, long expected)
      implements ProgressEvent {
    public enum Phase { STARTED, PROGRESS, STOPPED, MESSAGE }
  }

  /** Polling for a condition ({@code what}), {@code elapsed} of at most {@code limit}. */
  record Waiting(String what, Duration elapsed, Duration limit) implements ProgressEvent {}

  /** A line of output from an external program, or a message of Qubix itself. */
  record Log(Level level, String source, String line) implements ProgressEvent {
    public enum Level { DEBUG, INFO, WARN, ERROR }
  }
}
