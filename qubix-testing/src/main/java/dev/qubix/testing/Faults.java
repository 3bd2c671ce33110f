package dev.qubix.testing;

import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;

/**
 * Fault injection through the engine's own events: the engine reports StepStarted before a step
 * does anything, so a listener that halts the JVM there is a kill -9 right before that step.
 * Production code has no fault switch; a test installs this listener with {@code withListener}.
 */
public final class Faults {
  /** The system property a child JVM of a test reads to know where to halt. */
  public static final String HALT_BEFORE = "qubix.test.haltBefore";

  private Faults() {}

  /** Halts the JVM (exit 137, as a kill -9 is seen) as step {@code step} starts; a null step never halts. */
  public static ProgressListener haltBefore(String step) {
    return e -> {
      if (step != null && e instanceof ProgressEvent.StepStarted s && s.step().equals(step)) {
        Runtime.getRuntime().halt(137);
      }
    };
  }

  /** {@link #haltBefore} for the step named by the {@link #HALT_BEFORE} property (none: never halts). */
  public static ProgressListener haltBeforeProperty() {
    return haltBefore(System.getProperty(HALT_BEFORE));
  }
}
