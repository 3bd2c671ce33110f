package dev.qubix.hyperv;

import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.time.Duration;

/** Runs a backend's plans the way core's engine does (preflight, then the executor or each step's action). */
final class Ops {
  private Ops() {}

  static void run(Backend b, PlanRequest r) {
    BackendPlan p = b.plan(r);
    p.preflight().ifPresent(BackendPlan.Action::run);
    if (p.executor().isPresent()) {
      p.executor().get().run();
    } else {
      p.steps().forEach(s -> s.action().run());
    }
  }

  /** A recreate without a home backup first (the tests of those build their own request). */
  static void recreate(Backend b, MachineManifest m, ImageSet images) {
    run(b, PlanRequest.of(Operation.RECREATE, m, images).withHome(new dev.qubix.spi.HomeRequest(java.util.Optional.empty(),
        java.util.Optional.empty(), dev.qubix.HomeMode.PERSISTENT, dev.qubix.spi.HomeRequest.BeforeRecreate.NEVER)));
  }

  static void start(Backend b, MachineManifest m) {
    run(b, PlanRequest.of(Operation.START, m, ImageSet.empty()));
  }

  static void stop(Backend b, MachineManifest m, Duration grace) {
    run(b, new PlanRequest(Operation.STOP, m, ImageSet.empty(), grace, PlanRequest.Purpose.RUN));
  }

  static void destroy(Backend b, MachineManifest m, Purge purge) {
    run(b, PlanRequest.of(purge == Purge.EVERYTHING ? Operation.PURGE : Operation.DESTROY, m, ImageSet.empty()));
  }

  /** A shown plan; UP decided as the engine decides it (start when the VM exists, else recreate). */
  static Plan plan(Backend b, Operation op, MachineManifest m, ImageSet images) {
    Operation actual = op != Operation.UP ? op : b.inspect(m).map(InstanceStatus::isRunning).isPresent()
        ? Operation.START : Operation.RECREATE;
    return b.plan(PlanRequest.show(actual, m, images)).describe(op, b.name(), m.name());
  }
}
