package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.testing.Faults;
import dev.qubix.testing.ChildJvm;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process running recreate dies (Runtime.halt, as kill -9) right before each step of the plan,
 * one after another on the same VM; after every crash a plain recreate recovers and the home disk is
 * the same file with its boot counter continuing.
 */
class FaultInjectionTest {
  @TempDir Path work;
  Path state;

  @AfterEach
  void noOrphans() {
    List<ProcessHandle> left = TinyGuest.qemuUnder(state);
    left.forEach(ProcessHandle::destroyForcibly);
    assertThat(left).as("orphan QEMU").isEmpty();
  }

  private Appliance tiny(Path flake) {
    return TinyGuest.appliance(flake, state);
  }

  @Test
  void recreateRecoversFromACrashBeforeEveryPlanStepAndKeepsTheHomeDisk() throws Exception {
    state = work.resolve("state");
    Path flake = TinyGuest.flake(work.resolve("tiny-flake"));
    tiny(flake).build().recreate().connect(ConnectOptions.defaults().withoutClient());
    Path home = state.resolve("qubix-tiny/home.qcow2");
    Object homeFile = Files.readAttributes(home, BasicFileAttributes.class).fileKey();
    // the steps come from the backend's own plan, so a step added later is covered too
    List<String> steps = tiny(flake).plan(Operation.RECREATE).steps().stream().map(Step::id).toList();
    assertThat(steps).contains("stop-old", "system-disk", "home-disk", "start");
    int qemuStarted = steps.indexOf("start");

    for (int i = 0; i < steps.size(); i++) {
      String step = steps.get(i);
      int before = TinyGuest.lastBootCount(state, "qubix-tiny");
      int bootsBefore = TinyGuest.bootCounts(state, "qubix-tiny").size();
      Process child = ChildJvm.start(List.of("-D" + Faults.HALT_BEFORE + "=" + step), ReliabilityTest.RecreateMain.class,
          List.of(flake.toString(), state.toString()), work.resolve("halt-" + step + ".log"));
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(child.exitValue()).as("halted before %s", step).isEqualTo(137);

      tiny(flake).build().recreate().connect(ConnectOptions.defaults().withoutClient());

      assertThat(tiny(flake).status()).as("after a crash before %s", step).get()
          .extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
      assertThat(TinyGuest.qemuUnder(state)).as("after a crash before %s", step).hasSize(1);
      assertThat(Files.readAttributes(home, BasicFileAttributes.class).fileKey()).as("home disk file after %s", step)
          .isEqualTo(homeFile);
      // every boot since the crash is counted once, in order: exactly the repair's when the crash came
      // before QEMU started (up to and including "start"); once it ran, that half-made VM may have
      // booted once first
      List<Integer> all = TinyGuest.bootCounts(state, "qubix-tiny");
      List<Integer> since = all.subList(bootsBefore, all.size());
      if (i <= qemuStarted) {
        assertThat(since).as("boots after a crash before %s (QEMU not started)", step).containsExactly(before + 1);
      } else {
        assertThat(since).as("boots after a crash before %s (QEMU ran)", step)
            .isIn(List.of(before + 1), List.of(before + 1, before + 2));
      }
      try (Stream<Path> files = Files.list(state.resolve("qubix-tiny"))) {
        assertThat(files.map(p -> p.getFileName().toString()).toList()).as("after a crash before %s", step)
            .isSubsetOf(ReliabilityTest.ALLOWED);
      }
    }
    tiny(flake).destroy(Purge.EVERYTHING);
  }
}
