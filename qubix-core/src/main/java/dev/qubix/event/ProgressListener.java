package dev.qubix.event;

/** Receives {@link ProgressEvent}s. Called from worker threads: implementations must be thread-safe. */
@FunctionalInterface
public interface ProgressListener {

  ProgressListener NONE = event -> { };

  void onEvent(ProgressEvent event);

  /** Both listeners, this one first; a failing listener never breaks the operation. */
  default ProgressListener andThen(ProgressListener next) {
    return event -> {
      safely(this, event);
      safely(next, event);
    };
  }

  /** Delivers an event, swallowing what the listener throws: progress must not fail a VM operation. */
  static void safely(ProgressListener listener, ProgressEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException ignored) {
      // a broken progress bar is not a reason to leave a half-recreated VM behind
    }
  }
}
