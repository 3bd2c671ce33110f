package dev.qubix.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qubix.Appliance;
import dev.qubix.BackendUnavailableException;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.LockedException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every backend promises, run through the public API and core's engine. A backend's tests
 * extend it and say how to make an appliance on that backend and where its home disk lives:
 * <ul>
 *   <li>plan is pure (nothing in the state folder changes, for every operation);</li>
 *   <li>recreate is idempotent (twice: one running VM, the same home disk);</li>
 *   <li>destroy keeps the home disk and leaves no status; purge removes the home disk;</li>
 *   <li>two changes of one VM serialize (the second waits, or fails naming the lock);</li>
 *   <li>a crash before each step of the recreate plan is repaired by the next plain recreate.</li>
 * </ul>
 * A backend that cannot run here ({@link #runs()} false, e.g. a declared stub) must still plan
 * purely and refuse every change before it touches anything.
 */
public abstract class BackendContractTest {
  /** Thrown from the engine's StepStarted: the operation stops right there, as a crashed process would. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String step) {
      super("crash before " + step, null, false, false);
    }
  }

  @TempDir
  protected Path state;

  /** An appliance on the backend under test, keeping its VMs in {@code stateDir}. */
  protected abstract Appliance appliance(Path stateDir);

  /** The file (or folder) that holds the VM's home, under {@code stateDir} or the backend's own place. */
  protected abstract Path homeDisk(Path stateDir);

  /** Whether this backend can run VMs here; false for a stub, whose changes must all be refused. */
  protected boolean runs() {
    return true;
  }

  @Test
  void planIsPureForEveryOperation() {
    Map<String, String> before = snapshot();
    for (Operation op : Operation.values()) {
      Plan plan = appliance(state).plan(op);

      assertFalse(plan.steps().isEmpty(), op + " plans at least one step");
      assertEquals(plan.steps().size(), new HashSet<>(plan.steps().stream().map(Step::id).toList()).size(),
          op + " plans each step id once: " + plan);
    }
    assertEquals(before, snapshot(), "planning changed the state folder");
  }

  @Test
  void recreateIsIdempotentAndKeepsTheHomeDisk() {
    if (!runs()) {
      assertRefusedWithoutATrace(() -> appliance(state).build().recreate());
      return;
    }
    appliance(state).build().recreate();
    Object home = fileKey(homeDisk(state));
    appliance(state).build().recreate();

    assertEquals(InstanceStatus.State.RUNNING, status().orElseThrow().state());
    assertEquals(home, fileKey(homeDisk(state)), "the second recreate kept the same home disk");
    appliance(state).destroy(Purge.EVERYTHING);
  }

  @Test
  void destroyKeepsTheHomeDiskAndLeavesNoStatusPurgeRemovesIt() {
    if (!runs()) {
      assertRefusedWithoutATrace(() -> appliance(state).destroy(Purge.KEEP_HOME));
      assertRefusedWithoutATrace(() -> appliance(state).destroy(Purge.EVERYTHING));
      return;
    }
    Instance vm = appliance(state).build().recreate();
    vm.destroy(Purge.KEEP_HOME);

    assertTrue(status().isEmpty(), "no status after destroy");
    assertTrue(Files.exists(homeDisk(state)), "destroy kept the home disk " + homeDisk(state));

    appliance(state).up();
    appliance(state).destroy(Purge.EVERYTHING);

    assertTrue(status().isEmpty(), "no status after purge");
    assertFalse(Files.exists(homeDisk(state)), "purge removed the home disk " + homeDisk(state));
  }

  @Test
  void aSecondChangeOfTheSameVmWaitsForTheFirstOrNamesTheLock() throws Exception {
    if (!runs()) {
      assertRefusedWithoutATrace(() -> appliance(state).up());
      return;
    }
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Instance> first = CompletableFuture.supplyAsync(() -> appliance(state).withListener(e -> {
      if (e instanceof ProgressEvent.StepStarted && inside.getCount() > 0) {
        inside.countDown();
        await(release);
      }
    }).build().recreate());
    // the first recreate reaches a step, or fails before any: then its own error is the test's
    while (!inside.await(100, TimeUnit.MILLISECONDS)) {
      if (first.isDone()) {
        first.get();
        throw new AssertionError("the first recreate ended without starting a step");
      }
    }

    LockedException refused = assertThrows(LockedException.class,
        () -> appliance(state).withLockWait(Duration.ofMillis(200)).build().recreate());
    assertTrue(refused.getMessage().contains("recreate"), refused.getMessage());

    release.countDown();
    first.get(5, TimeUnit.MINUTES);
    assertEquals(InstanceStatus.State.RUNNING, status().orElseThrow().state());
    appliance(state).destroy(Purge.EVERYTHING);
  }

  @Test
  void aCrashBeforeAnyRecreateStepIsRepairedByThePlainRecreateThatFollows() {
    if (!runs()) {
      assertRefusedWithoutATrace(() -> appliance(state).build().recreate());
      return;
    }
    appliance(state).build().recreate();
    Object home = fileKey(homeDisk(state));
    List<String> steps = stepsARecreateRuns();
    for (String step : steps) {
      assertThrows(Crash.class, () -> appliance(state).withListener(e -> {
        if (e instanceof ProgressEvent.StepStarted s && s.step().equals(step)) {
          throw new Crash(step);
        }
      }).build().recreate(), "the recreate stopped before " + step);

      appliance(state).build().recreate();

      assertEquals(InstanceStatus.State.RUNNING, status().orElseThrow().state(), "running again after a crash before " + step);
      assertEquals(home, fileKey(homeDisk(state)), "the same home disk after a crash before " + step);
    }
    appliance(state).destroy(Purge.EVERYTHING);
  }

  /**
   * The steps a plain recreate of the existing VM starts, in order: the plan that runs. A crash can
   * only come before a step that runs, and a shown plan may differ from it where the backend reads
   * the host to show what would happen (Hyper-V shows {@code base-image-cached} where the plan that
   * runs, made without that extra PowerShell start, has a {@code base-image} step that finds the copy).
   */
  private List<String> stepsARecreateRuns() {
    List<String> started = new CopyOnWriteArrayList<>();
    appliance(state).withListener(e -> {
      if (e instanceof ProgressEvent.StepStarted s) {
        started.add(s.step());
      }
    }).build().recreate();
    assertFalse(started.isEmpty(), "a recreate reports the steps it runs");
    return List.copyOf(started);
  }

  private Optional<InstanceStatus> status() {
    return appliance(state).status();
  }

  /** A change refused as unavailable, with nothing written to the state folder. */
  private void assertRefusedWithoutATrace(Runnable change) {
    Map<String, String> before = snapshot();
    assertThrows(BackendUnavailableException.class, change::run);
    assertEquals(before, snapshot(), "a refused change wrote to the state folder");
  }

  /** Every path under the state folder with its size and modification time. */
  private Map<String, String> snapshot() {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(state)) {
      return out;
    }
    try (Stream<Path> all = Files.walk(state)) {
      for (Path p : all.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        out.put(state.relativize(p).toString(), a.size() + " " + a.lastModifiedTime());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Object fileKey(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.fileKey() != null ? a.fileKey() : a.creationTime();
    } catch (IOException e) {
      throw new UncheckedIOException("no home disk at " + p, e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
