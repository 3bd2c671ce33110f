package dev.qubix.spi;

import dev.qubix.Plan;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Executes a plan's steps in order, reporting StepStarted/StepFinished. Steps without an action
 * are reported and skipped. For fault-injection tests, the system property
 * {@code qubix.test.haltAtStep=<stepId>} halts the JVM right before that step, as a kill -9 would.
 */
public final class StepRunner {
  public static final String HALT_PROPERTY = "qubix.test.haltAtStep";
  private final ProgressListener listener;

  public StepRunner(ProgressListener listener) {
    this.listener = listener;
  }

  public void run(Plan plan, Map<String, Runnable> actions) {
    List<Step> steps = plan.steps();
    String haltAt = System.getProperty(HALT_PROPERTY);
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (step.id().equals(haltAt)) {
        Runtime.getRuntime().halt(137);
      }
      ProgressListener.safely(listener, new ProgressEvent.StepStarted(step.id(), step.description(), i + 1, steps.size()));
      long start = System.nanoTime();
      boolean ok = false;
      try {
        Runnable action = actions.get(step.id());
        if (action != null) {
          action.run();
        }
        ok = true;
      } finally {
        ProgressListener.safely(listener, new ProgressEvent.StepFinished(step.id(), Duration.ofNanos(System.nanoTime() - start), ok));
      }
    }
  }
}
