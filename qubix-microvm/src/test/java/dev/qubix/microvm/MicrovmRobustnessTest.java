package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.testing.Faults;
import dev.qubix.testing.TinyGuest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlays, crashes mid-recreate, stale files, a stolen port: the VM state always stays repairable. */
class MicrovmRobustnessTest {
  private static final ConnectOptions HEADLESS = ConnectOptions.defaults().withoutClient();

  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphanQemu() {
    List<ProcessHandle> left = TinyGuest.qemuUnder(state);
    left.forEach(ProcessHandle::destroyForcibly);
    assertThat(left).as("orphan QEMU processes").isEmpty();
  }

  private Appliance tiny(String machine) {
    return TinyGuest.appliance(machine, flake, state);
  }

  @Test
  void guestWritesGoToTheOverlayNeverToTheStoreImage() throws Exception {
    var built = tiny("tiny-disk").build();
    Path image = built.images().get("microvm").file();
    String before = sha256(image);
    FileTime mtime = Files.getLastModifiedTime(image);

    built.recreate().connect(HEADLESS);
    built.recreate().connect(HEADLESS);

    // each recreate starts from a fresh overlay: the marker the guest writes never accumulates
    assertThat(serial("qubix-tiny-disk").lines().filter(l -> l.startsWith("QUBIX-SYSTEM-MARKER=")).toList())
        .containsExactly("QUBIX-SYSTEM-MARKER=1", "QUBIX-SYSTEM-MARKER=1");
    assertThat(sha256(image)).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(image)).isEqualTo(mtime);
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny-disk")).isEqualTo(2);
    tiny("tiny-disk").destroy(Purge.EVERYTHING);
  }

  /**
   * One VM, several crashes: the JVM running recreate halts (as kill -9) right before a step, or is
   * killed from outside just after its QEMU started; each time the next recreate repairs the state.
   * The qubix-bench fault-injection suite does the same before every step of the plan.
   */
  @Test
  void aJvmKilledMidRecreateLeavesStateTheNextRecreateRepairs() throws Exception {
    tiny("tiny").build().recreate().connect(HEADLESS);
    Path vm = state.resolve("qubix-tiny");
    Object homeFile = fileKey(vm.resolve("home.qcow2"));
    int count = TinyGuest.lastBootCount(state, "qubix-tiny");
    assertThat(count).isEqualTo(1);
    int boots = TinyGuest.bootCounts(state, "qubix-tiny").size();

    for (String when : List.of("system-disk", "start", "wait-running", "outside")) {
      if (when.equals("outside")) {
        // kill -9 from outside while the child waits for the guest its fresh QEMU boots
        long oldQemu = qemuPid(vm);
        Process child = recreateInChildJvm("-Dqubix.test.connect=true");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (qemuPid(vm) == oldQemu || qemuPid(vm) == 0) {
          assertThat(System.nanoTime()).as("the child started a new QEMU").isLessThan(deadline);
          Thread.sleep(20);
        }
        child.destroyForcibly();
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as("killed after its QEMU started").isEqualTo(137);
      } else {
        Process child = recreateInChildJvm("-D" + Faults.HALT_BEFORE + "=" + when);
        assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as("halted before %s", when).isEqualTo(137);
      }

      tiny("tiny").build().recreate().connect(HEADLESS);

      assertThat(tiny("tiny").status()).as("after a crash at %s", when).get()
          .extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
      assertThat(TinyGuest.qemuUnder(state)).as("after a crash at %s", when).hasSize(1);
      assertThat(fileKey(vm.resolve("home.qcow2"))).as("the same home disk file after %s", when).isEqualTo(homeFile);
      // every boot since the crash is counted once, in order: exactly the repair's where the child
      // died before starting QEMU; where its QEMU ran, that half-made VM may have booted once first
      List<Integer> all = TinyGuest.bootCounts(state, "qubix-tiny");
      List<Integer> since = all.subList(boots, all.size());
      if (when.equals("system-disk") || when.equals("start")) {
        assertThat(since).as("boots after a crash before QEMU started (%s)", when).containsExactly(count + 1);
      } else {
        assertThat(since).as("boots after a crash once QEMU ran (%s)", when).isIn(List.of(count + 1), List.of(count + 1, count + 2));
      }
      count = all.get(all.size() - 1);
      boots = all.size();
      try (var files = Files.list(vm)) {
        assertThat(files.map(p -> p.getFileName().toString())).as("after %s", when).noneMatch(n -> n.endsWith(".tmp"));
      }
    }
    assertThat(serial("qubix-tiny").lines().filter("QUBIX-HOME-FORMATTED"::equals)).as("home formatted once").hasSize(1);
    tiny("tiny").destroy(Purge.EVERYTHING);
  }

  @Test
  void staleFilesOfAQemuKilledOutsideQubixAreDetectedAndCleaned() throws Exception {
    tiny("tiny").build().recreate().connect(HEADLESS);
    Path vm = state.resolve("qubix-tiny");
    ProcessHandle qemu = ProcessHandle.of(qemuPid(vm)).orElseThrow();
    qemu.destroyForcibly();
    qemu.onExit().get(30, TimeUnit.SECONDS);
    assertThat(vm.resolve("qemu.pid")).exists();
    assertThat(vm.resolve("qmp.sock")).exists();

    assertThat(tiny("tiny").status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.STOPPED);
    tiny("tiny").instance().orElseThrow().start().connect(HEADLESS);

    assertThat(tiny("tiny").status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    assertThat(qemuPid(vm)).isNotEqualTo(qemu.pid());
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(2);
    tiny("tiny").destroy(Purge.EVERYTHING);
  }

  @Test
  void portTakenByAnotherProcessIsAClearErrorAndStartsNothing() throws Exception {
    tiny("tiny").build().recreate().connect(HEADLESS);
    tiny("tiny").instance().orElseThrow().stop();
    int port = tiny("tiny").instance().orElseThrow().endpoint().port();

    try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> tiny("tiny").instance().orElseThrow().start())
          .isInstanceOf(QubixException.class)
          .hasMessageContaining("port " + port + " on 127.0.0.1")
          .hasMessageContaining("used by another process: free it, or delete " + state.resolve("qubix-tiny/ports.json"));
      assertThatThrownBy(() -> tiny("tiny").build().recreate())
          .isInstanceOf(QubixException.class).hasMessageContaining("port " + port);
      assertThat(TinyGuest.qemuUnder(state)).isEmpty();
      assertThat(state.resolve("qubix-tiny/qemu.pid")).doesNotExist();
      assertThat(state.resolve("qubix-tiny/system.qcow2")).as("recreate changed nothing").doesNotExist();
    }
    tiny("tiny").destroy(Purge.EVERYTHING);
  }

  private Process recreateInChildJvm(String property) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(List.of(java.toString(), property, "-cp", System.getProperty("java.class.path"),
        RecreateMain.class.getName(), flake.toString(), state.toString()))
        .redirectErrorStream(true).redirectOutput(shared.resolve("child-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  private static long qemuPid(Path vm) throws IOException {
    try {
      return Long.parseLong(Files.readString(vm.resolve("qemu.pid")).strip());
    } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
      return 0;
    }
  }

  private static Object fileKey(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  private String serial(String vm) throws IOException {
    return Files.readString(state.resolve(vm).resolve("serial.log"), StandardCharsets.ISO_8859_1);
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  /**
   * The operation a test kills: one recreate (and, with -Dqubix.test.connect=true, connect) in its own
   * JVM; with -Dqubix.test.haltBefore=STEP its listener halts the JVM as that step starts, as a kill -9
   * would (the engine reports StepStarted before the step does anything).
   */
  public static final class RecreateMain {
    public static void main(String[] args) {
      var instance = TinyGuest.appliance("tiny", Path.of(args[0]), Path.of(args[1])).withListener(Faults.haltBeforeProperty()).build().recreate();
      if (Boolean.getBoolean("qubix.test.connect")) {
        instance.connect(HEADLESS);
      }
    }
  }
}
