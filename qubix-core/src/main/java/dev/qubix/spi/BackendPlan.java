package dev.qubix.spi;

import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A plan as a backend makes it: the steps people see, each with the action that performs it, so
 * nothing can be shown without being run or run without being shown. A backend whose host runs a
 * whole plan in one go (Hyper-V: one powershell.exe per operation) gives one {@link Executor}
 * instead of per-step actions; it reports the planned steps itself as the host performs them.
 *
 * <p>{@code preflight} runs before the first step and must refuse, before anything changes, what
 * would fail half-way (a corrupt image, a port in use, missing rights). A plan shown with
 * {@code qubixctl plan} runs neither.
 */
public final class BackendPlan {

  /** Performs one step. */
  @FunctionalInterface
  public interface Action {
    void run();
  }

  /**
   * Runs every step of the plan at once, in the host (a script), and reports each planned step's
   * StepStarted/StepFinished to the context's listener as the host performs it.
   */
  @FunctionalInterface
  public interface Executor {
    void run();
  }

  /** One step and its action (null only under a whole-plan executor). */
  public record PlannedStep(Step step, Action action) {}

  private final List<PlannedStep> steps;
  private final Action preflight;
  private final Executor executor;

  private BackendPlan(List<PlannedStep> steps, Action preflight, Executor executor) {
    this.steps = List.copyOf(steps);
    this.preflight = preflight;
    this.executor = executor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Steps performed by one executor (their actions live in the host, e.g. a PowerShell script). */
  public static BackendPlan runAsOne(List<Step> steps, Action preflight, Executor executor) {
    List<PlannedStep> planned = new ArrayList<>();
    steps.forEach(s -> planned.add(new PlannedStep(s, null)));
    checkIds(planned);
    return new BackendPlan(planned, preflight, Objects.requireNonNull(executor, "executor"));
  }

  public List<PlannedStep> steps() {
    return steps;
  }

  public Optional<Action> preflight() {
    return Optional.ofNullable(preflight);
  }

  public Optional<Executor> executor() {
    return Optional.ofNullable(executor);
  }

  /** What people see: the steps without their actions. */
  public Plan describe(Operation op, String backend, String machine) {
    return new Plan(op, backend, machine, steps.stream().map(PlannedStep::step).toList());
  }

  private static void checkIds(List<PlannedStep> steps) {
    Set<String> seen = new HashSet<>();
    for (PlannedStep s : steps) {
      if (!seen.add(s.step().id())) {
        throw new IllegalArgumentException("step id '" + s.step().id() + "' is planned twice");
      }
    }
  }

  /** Collects steps in order; each must have an action. */
  public static final class Builder {
    private final List<PlannedStep> steps = new ArrayList<>();
    private Action preflight;

    private Builder() {}

    public Builder step(String id, String description, Action action) {
      return step(id, description, Map.of(), action);
    }

    public Builder step(String id, String description, Map<String, Object> details, Action action) {
      steps.add(new PlannedStep(new Step(id, description, details), Objects.requireNonNull(action, "action of step " + id)));
      return this;
    }

    /** Checks that run before the first step (see {@link BackendPlan}). */
    public Builder preflight(Action check) {
      this.preflight = check;
      return this;
    }

    public BackendPlan build() {
      checkIds(steps);
      return new BackendPlan(steps, preflight, null);
    }
  }
}
