package dev.qubix.internal;

import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.spi.BackendPlan;
import java.time.Duration;
import java.util.List;

/**
 * Runs a backend's plan: its preflight, then each step's own action in order, with a StepStarted
 * before and a StepFinished after every step. A listener sees StepStarted before the step does
 * anything, which is the fault hook tests use (a listener that halts the JVM there is a kill -9
 * right before that step). A whole-plan executor reports its steps itself.
 */
final class StepExecutor {
  private final ProgressListener listener;

  StepExecutor(ProgressListener listener) {
    this.listener = listener;
  }

  void run(BackendPlan plan) {
    plan.preflight().ifPresent(BackendPlan.Action::run);
    if (plan.executor().isPresent()) {
      plan.executor().get().run();
      return;
    }
    List<BackendPlan.PlannedStep> steps = plan.steps();
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i).step();
      ProgressListener.safely(listener, new ProgressEvent.StepStarted(step.id(), step.description(), i + 1, steps.size()));
      long start = System.nanoTime();
      boolean ok = false;
      try {
        steps.get(i).action().run();
        ok = true;
      } finally {
        ProgressListener.safely(listener, new ProgressEvent.StepFinished(step.id(), Duration.ofNanos(System.nanoTime() - start), ok));
      }
    }
  }
}
