package dev.qubix.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
import dev.qubix.ConnectOptions;
import dev.qubix.InstanceStatus;
import dev.qubix.LockedException;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.test.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many recreates and two processes at once on the real tiny guest: the VM stays consistent. */
class ReliabilityTest {
  /**
   * What DESIGN.md says a microvm VM folder holds, plus image-version (the store path the overlay
   * points at, which start needs; DESIGN.md does not list it yet).
   */
  static final Set<String> ALLOWED = Set.of("gcroots", "system.qcow2", "home.qcow2", "qemu.pid", "qmp.sock", "serial.log",
      "ports.json", "image-version");
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphans() {
    List<ProcessHandle> left = Tiny.qemuUnder(state);
    left.forEach(ProcessHandle::destroyForcibly);
    assertThat(left).as("orphan QEMU").isEmpty();
  }

  private Appliance tiny() {
    return Qubix.appliance("tiny").withFlake(flake).withBackend("microvm").withStateDir(state);
  }

  @Test
  void twentyRecreateCyclesCountTwentyBootsOnTheHomeDisk() throws Exception {
    BuiltAppliance built = tiny().build();
    for (int i = 1; i <= 20; i++) {
      built.recreate().connect(ConnectOptions.defaults().withoutClient());
      assertThat(Tiny.qemuUnder(state)).as("cycle %d", i).hasSize(1);
    }

    assertThat(Tiny.bootCounts(state)).isEqualTo(IntStream.rangeClosed(1, 20).boxed().toList());
    try (Stream<Path> files = Files.list(state.resolve("qubix-tiny"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).isSubsetOf(ALLOWED);
    }
    tiny().destroy(Purge.EVERYTHING);
    assertThat(Tiny.qemuUnder(state)).isEmpty();
  }

  @Test
  void twoProcessesRecreatingOneApplianceTakeTurns() throws Exception {
    tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient());
    Process a = Tiny.javaMain(RecreateMain.class, List.of(flake.toString(), state.toString()), state.resolveSibling("a.log"));
    Process b = Tiny.javaMain(RecreateMain.class, List.of(flake.toString(), state.toString()), state.resolveSibling("b.log"));
    assertThat(a.waitFor(4, TimeUnit.MINUTES)).isTrue();
    assertThat(b.waitFor(4, TimeUnit.MINUTES)).isTrue();
    String logs = Files.readString(state.resolveSibling("a.log")) + Files.readString(state.resolveSibling("b.log"));

    int ok = (a.exitValue() == 0 ? 1 : 0) + (b.exitValue() == 0 ? 1 : 0);
    assertThat(ok).as(logs).isGreaterThanOrEqualTo(1);
    if (ok == 1) {
      assertThat(logs).contains(LockedException.class.getSimpleName()).contains("is being changed by another Qubix process (pid ");
    }
    tiny().instance().orElseThrow().connect(ConnectOptions.defaults().withoutClient());
    assertThat(tiny().status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    assertThat(Tiny.qemuUnder(state)).hasSize(1);
    List<Integer> counts = Tiny.bootCounts(state);
    assertThat(counts.get(counts.size() - 1)).isEqualTo(1 + ok);
    tiny().destroy(Purge.EVERYTHING);
  }

  /** One recreate in its own JVM; prints the exception's class and message when it fails. */
  public static final class RecreateMain {
    public static void main(String[] args) {
      try {
        Qubix.appliance("tiny").withFlake(Path.of(args[0])).withBackend("microvm").withStateDir(Path.of(args[1]))
            .build().recreate();
      } catch (RuntimeException e) {
        System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
