package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
import dev.qubix.ConnectOptions;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.internal.ApplianceLock;
import dev.qubix.testing.ChildJvm;
import dev.qubix.testing.Faults;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many recreates and two processes at once on the real tiny guest: the VM stays consistent. */
class ReliabilityTest {
  /** README's table of the VM folder, exactly. */
  static final Set<String> ALLOWED = Set.of("gcroots", "system.qcow2", "home.qcow2", "qemu.pid", "qmp.sock", "serial.log",
      "ports.json", "image-version", "machine", "rdp-password");
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphans() {
    List<ProcessHandle> left = TinyGuest.qemuUnder(state);
    left.forEach(ProcessHandle::destroyForcibly);
    assertThat(left).as("orphan QEMU").isEmpty();
  }

  private Appliance tiny() {
    return TinyGuest.appliance(flake, state);
  }

  @Test
  void twentyRecreateCyclesCountTwentyBootsOnTheHomeDisk() throws Exception {
    BuiltAppliance built = tiny().build();
    for (int i = 1; i <= 20; i++) {
      built.recreate().connect(ConnectOptions.defaults().withoutClient());
      assertThat(TinyGuest.qemuUnder(state)).as("cycle %d", i).hasSize(1);
    }

    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).isEqualTo(IntStream.rangeClosed(1, 20).boxed().toList());
    try (Stream<Path> files = Files.list(state.resolve("qubix-tiny"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).isSubsetOf(ALLOWED);
    }
    tiny().destroy(Purge.EVERYTHING);
    assertThat(TinyGuest.qemuUnder(state)).isEmpty();
  }

  /**
   * The overlap is forced: child A takes the VM's lock (as a recreate does) and holds it while child
   * B starts a recreate. Under a short lock wait B fails with LockedException naming A's pid; under a
   * long one B waits, touches nothing while it waits, and recreates once A lets go.
   */
  @Test
  void aSecondProcessWaitsForTheLockOrFailsNamingItsHolder() throws Exception {
    tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient());
    Path vm = state.resolve("qubix-tiny");
    String qemuBefore = Files.readString(vm.resolve("qemu.pid")).strip();
    // the children's logs and the release file: this test's own, never the temp root's siblings
    Path scratch = Files.createDirectories(state.resolve("test"));
    Path release = scratch.resolve("release");
    Process a = ChildJvm.start(HoldLockMain.class, List.of(state.toString(), "qubix-tiny", release.toString()), scratch.resolve("a.log"));
    try {
      await(scratch.resolve("a.log"), "LOCKED", a);

      // short wait: B gives up and names A
      Process shortWait = ChildJvm.start(RecreateMain.class, List.of(flake.toString(), state.toString(), "1"), scratch.resolve("b1.log"));
      assertThat(shortWait.waitFor(4, TimeUnit.MINUTES)).isTrue();
      String b1 = Files.readString(scratch.resolve("b1.log"));
      assertThat(shortWait.exitValue()).as(b1).isEqualTo(1);
      assertThat(b1).contains("LockedException: qubix-tiny is being changed by another Qubix process (pid " + a.pid() + ", recreate since");

      // long wait: B waits while A holds the lock, then recreates
      Process longWait = ChildJvm.start(RecreateMain.class, List.of(flake.toString(), state.toString(), "120"), scratch.resolve("b2.log"));
      await(scratch.resolve("b2.log"), "WAITING lock on qubix-tiny", longWait);
      assertThat(Files.readString(vm.resolve("qemu.pid")).strip()).as("the VM while B waits").isEqualTo(qemuBefore);
      assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).as("boots while B waits").containsExactly(1);
      Files.writeString(release, "go");
      assertThat(a.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(longWait.waitFor(4, TimeUnit.MINUTES)).isTrue();
      assertThat(longWait.exitValue()).as(Files.readString(scratch.resolve("b2.log"))).isZero();
    } finally {
      a.destroyForcibly();
    }

    tiny().instance().orElseThrow().connect(ConnectOptions.defaults().withoutClient());
    assertThat(tiny().status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    assertThat(TinyGuest.qemuUnder(state)).hasSize(1);
    assertThat(Files.readString(vm.resolve("qemu.pid")).strip()).as("B's recreate started a new QEMU").isNotEqualTo(qemuBefore);
    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).containsExactly(1, 2);
    tiny().destroy(Purge.EVERYTHING);
  }

  /** Waits until {@code log} holds {@code line}; fails if the process ends first. */
  private static void await(Path log, String line, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!(Files.exists(log) && Files.readString(log).contains(line))) {
      assertThat(p.isAlive()).as("%s still running before it printed %s: %s", log.getFileName(), line,
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      assertThat(System.nanoTime()).as("%s printed %s within 3 minutes", log.getFileName(), line).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Holds an appliance's lock, as a recreate does, until the release file exists. */
  public static final class HoldLockMain {
    public static void main(String[] args) throws Exception {
      try (ApplianceLock l = ApplianceLock.acquire(Path.of(args[0]), args[1], "recreate", Duration.ofSeconds(30),
          ProgressListener.NONE)) {
        System.out.println("LOCKED");
        System.out.flush();
        while (!Files.exists(Path.of(args[2]))) {
          Thread.sleep(50);
        }
      }
    }
  }

  /**
   * One recreate in its own JVM, optionally with a lock wait in seconds (then it prints WAITING once
   * it waits for the lock); prints the exception's class and message when it fails.
   */
  public static final class RecreateMain {
    public static void main(String[] args) {
      try {
        Appliance a = TinyGuest.appliance(Path.of(args[0]), Path.of(args[1])).withListener(Faults.haltBeforeProperty());
        if (args.length > 2) {
          AtomicBoolean said = new AtomicBoolean();
          a = a.withLockWait(Duration.ofSeconds(Long.parseLong(args[2]))).withListener(e -> {
            if (e instanceof ProgressEvent.Waiting w && w.what().startsWith("lock on ") && !said.getAndSet(true)) {
              System.out.println("WAITING " + w.what());
              System.out.flush();
            }
          });
        }
        a.build().recreate();
      } catch (RuntimeException e) {
        System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
