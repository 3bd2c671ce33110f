package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.ConfigurationException;
import dev.qubix.ConnectOptions;
import dev.qubix.Home;
import dev.qubix.HomeBackup;
import dev.qubix.HomeMode;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.testing.ChildJvm;
import dev.qubix.testing.Faults;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The home disk's whole life on the real tiny guest, which counts its boots on the home disk:
 * rollback through a backup, disposable runs that leave no trace, export and import, backups that
 * survive destroy and go with a purge, bad input refused with nothing changed, and a crash before
 * each step of backup, restore and import that leaves the previous home usable.
 */
class MicrovmHomeTest {
  private static final String VM = "qubix-tiny";

  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;
  @TempDir Path outside;

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmHomeTest");
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphanQemu() throws Exception {
    List<ProcessHandle> left = TinyGuest.qemuUnder(state);
    List<String> described = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    for (ProcessHandle p : left) {
      p.destroyForcibly();
      p.onExit().get(30, TimeUnit.SECONDS);
    }
    assertThat(described).as("QEMU processes left running after the test").isEmpty();
  }

  private Appliance tiny() {
    return TinyGuest.appliance(flake, state);
  }

  private Path home() {
    return state.resolve(VM).resolve("home.qcow2");
  }

  /** Up (or the given instance's start) until the guest has counted its boot: the count is on disk then. */
  private int booted(Instance vm) throws IOException {
    vm.connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofMinutes(2)));
    return TinyGuest.lastBootCount(state, VM);
  }

  @Test
  void rollbackRestoresTheHomeOfABackupTakenWhileTheVmRan() throws Exception {
    assertThat(booted(tiny().up())).isEqualTo(1);
    HomeBackup one = tiny().home().backup("one");   // running: QEMU's point-in-time copy
    String backupBytes = sha256(state.resolve(VM).resolve("backups/one.qcow2"));
    assertThat(one.automatic()).isFalse();
    assertThat(one.imageVersion()).isPresent();
    assertThat(booted(tiny().build().recreate())).isEqualTo(2);
    assertThat(booted(tiny().build().recreate())).isEqualTo(3);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));

    tiny().home().restore("one");
    assertThat(booted(tiny().up())).as("the home as it was at boot 1, booted once more").isEqualTo(2);

    assertThat(sha256(state.resolve(VM).resolve("backups/one.qcow2"))).as("restoring never changes the backup").isEqualTo(backupBytes);
    List<HomeBackup> all = tiny().home().list();
    assertThat(all).extracting(HomeBackup::name).hasSize(2).contains("one")
        .anyMatch(n -> n.startsWith("before-restore-"));
    assertThat(all).filteredOn(HomeBackup::automatic).singleElement().extracting(HomeBackup::sizeBytes)
        .satisfies(size -> assertThat(size).isPositive());
    assertThat(tiny().build().plan(Operation.RECREATE).steps()).extracting(Step::id).as("same image: no backup before recreate")
        .doesNotContain("backup-home");
    tiny().destroy(Purge.EVERYTHING);
  }

  @Test
  void aDisposableRunLeavesNoTraceOnThePersistentHome() throws Exception {
    int n = booted(tiny().up());
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    String persistent = sha256(home());

    Instance disposable = tiny().withDisposableHome().build().recreate();
    assertThat(booted(disposable)).as("the disposable boot counts on its overlay").isEqualTo(n + 1);
    assertThat(tiny().status().orElseThrow().details()).containsEntry(HomeMode.DETAIL, "disposable");
    assertThat(sha256(home())).as("the persistent home while the disposable VM runs").isEqualTo(persistent);
    assertThatThrownBy(() -> tiny().up()).as("switching modes of a running VM").isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("needs a recreate");

    disposable.stop(Duration.ofSeconds(30));
    assertThat(state.resolve(VM).resolve("home-disposable.qcow2")).as("the overlay is discarded at stop").doesNotExist();
    assertThat(sha256(home())).isEqualTo(persistent);

    assertThat(tiny().plan(Operation.UP).steps()).extracting(Step::id).as("up switches a stopped VM's mode by a recreate")
        .contains("system-disk");
    assertThat(booted(tiny().up())).as("the persistent boot after the disposable one").isEqualTo(n + 1);
    assertThat(tiny().status().orElseThrow().details()).containsEntry(HomeMode.DETAIL, "persistent");
    tiny().destroy(Purge.EVERYTHING);
  }

  @Test
  void aDisposableVmWithoutAHomeDiskStartsBlankEveryTimeAndMakesNone() throws Exception {
    Appliance disposable = tiny().withDisposableHome();
    assertThat(booted(disposable.up())).isEqualTo(1);
    disposable.instance().orElseThrow().stop(Duration.ofSeconds(30));
    assertThat(booted(disposable.up())).as("pristine at every start").isEqualTo(1);
    assertThat(home()).as("no persistent home is made").doesNotExist();
    disposable.destroy(Purge.KEEP_HOME);
    assertThat(state.resolve(VM).resolve("home-disposable.qcow2")).doesNotExist();
    tiny().destroy(Purge.EVERYTHING);
  }

  @Test
  void exportAndImportRoundTripAndBackupsSurviveDestroyUntilPurge() throws Exception {
    assertThat(booted(tiny().up())).isEqualTo(1);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    Path qcow2 = outside.resolve("home-at-1.qcow2");
    Path vhdx = outside.resolve("home-at-1.vhdx");
    tiny().home().exportTo(qcow2);
    tiny().home().exportTo(vhdx);
    assertThat(booted(tiny().up())).isEqualTo(2);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));

    tiny().home().importFrom(vhdx);
    assertThat(booted(tiny().up())).as("the imported home was at 1").isEqualTo(2);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    tiny().home().importFrom(qcow2);
    assertThat(tiny().home().list()).extracting(HomeBackup::name).allMatch(n -> n.startsWith("before-restore-")).hasSize(2);

    tiny().destroy(Purge.KEEP_HOME);
    assertThat(tiny().home().list()).as("destroy keeps the backups").hasSize(2);
    assertThat(state.resolve(VM).resolve("backups")).isDirectory();
    assertThat(booted(tiny().up())).as("after destroy, the imported home (at 1) boots").isEqualTo(2);
    tiny().destroy(Purge.EVERYTHING);
    assertThat(state.resolve(VM)).as("purge removes the backups with everything else").doesNotExist();
    assertThat(tiny().home().list()).isEmpty();
  }

  @Test
  void badInputIsRefusedWithNothingChanged() throws Exception {
    Instance vm = tiny().up();
    booted(vm);
    Path notADisk = Files.writeString(outside.resolve("notes.qcow2"), "not a disk image\n");
    Map<String, String> before = snapshot();

    assertThatThrownBy(() -> tiny().home().restore("nope")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no backup named 'nope'");
    assertThatThrownBy(() -> tiny().home().backup("../escape")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not valid");
    assertThatThrownBy(() -> tiny().home().backup("a/b")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> tiny().home().importFrom(outside.resolve("home.img"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(".qcow2 or .vhdx");
    assertThatThrownBy(() -> tiny().home().exportTo(notADisk)).as("export never overwrites")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("exists");
    assertThat(snapshot()).as("nothing changed by the refusals").isEqualTo(before);

    tiny().home().backup("kept");
    assertThatThrownBy(() -> tiny().home().restore("kept")).as("restore while running")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");
    vm.stop(Duration.ofSeconds(30));
    String homeBytes = sha256(home());
    assertThatThrownBy(() -> tiny().home().importFrom(notADisk)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is not a qcow2 disk image");
    assertThat(sha256(home())).isEqualTo(homeBytes);
    assertThat(tiny().home().list()).extracting(HomeBackup::name).containsExactly("kept");
    tiny().destroy(Purge.EVERYTHING);
  }

  /** Thrown from the engine's StepStarted: the operation stops right there, as a crashed process would. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String step) {
      super("crash before " + step, null, false, false);
    }
  }

  private Appliance crashingBefore(String step) {
    return tiny().withListener(e -> {
      if (e instanceof ProgressEvent.StepStarted s && s.step().equals(step)) {
        throw new Crash(step);
      }
    });
  }

  /** One home operation, as the crash tests run it. */
  record Op(Operation op, String argument) {}

  /** Stops {@code op} right before {@code step}, as a crash would. */
  @FunctionalInterface
  interface Crasher {
    void crashBefore(Op op, String step) throws Exception;
  }

  @Test
  void aCrashBeforeAnyStepOfBackupRestoreOrImportLeavesThePreviousHomeAndARetrySucceeds() throws Exception {
    crashBeforeEveryStepThenRetry((op, step) -> assertThatThrownBy(() -> run(crashingBefore(step).home(), op.op(),
        op.argument())).as("%s stopped before %s", op.op(), step).isInstanceOf(Crash.class));
  }

  /**
   * The same with a real crash: a child JVM halts (exit 137, as kill -9 is seen) as the engine starts
   * the step, so no finally block, no cleanup and no lock release of Qubix's own runs; the OS drops
   * the lock.
   */
  @Test
  void aKilledProcessBeforeAnyStepOfBackupRestoreOrImportLeavesThePreviousHomeAndARetrySucceeds() throws Exception {
    crashBeforeEveryStepThenRetry((op, step) -> {
      Process child = ChildJvm.start(List.of("-D" + Faults.HALT_BEFORE + "=" + step), HomeOpMain.class,
          List.of(flake.toString(), state.toString(), op.op().name(), op.argument()),
          outside.resolve("halt-" + op.op() + "-" + step + ".log"));
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(child.exitValue()).as("%s halted before %s", op.op(), step).isEqualTo(137);
    });
  }

  /** One home operation in its own JVM, halted by its listener as {@code -Dqubix.test.haltBefore} says. */
  public static final class HomeOpMain {
    public static void main(String[] args) {
      Home home = TinyGuest.appliance(Path.of(args[0]), Path.of(args[1])).withListener(Faults.haltBeforeProperty()).home();
      run(home, Operation.valueOf(args[2]), args[3]);
    }
  }

  private void crashBeforeEveryStepThenRetry(Crasher crasher) throws Exception {
    assertThat(booted(tiny().up())).isEqualTo(1);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    tiny().home().backup("at-1");
    Path exported = outside.resolve("at-1.qcow2");
    tiny().home().exportTo(exported);
    assertThat(booted(tiny().up())).isEqualTo(2);
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));

    for (Op op : List.of(new Op(Operation.HOME_BACKUP, "retried"), new Op(Operation.HOME_RESTORE, "at-1"),
        new Op(Operation.HOME_IMPORT, exported.toString()))) {
      for (Step step : tiny().home().plan(op.op(), op.argument()).steps()) {
        String homeBytes = sha256(home());
        List<String> backups = names(tiny().home());
        crasher.crashBefore(op, step.id());

        assertThat(sha256(home())).as("the home after a crash of %s before %s", op.op(), step.id()).isEqualTo(homeBytes);
        assertThat(names(tiny().home())).as("backups after a crash of %s before %s", op.op(), step.id())
            .allMatch(n -> backups.contains(n) || n.startsWith("before-restore-"));
        if (op.op() == Operation.HOME_BACKUP) {
          assertThat(names(tiny().home())).as("no backup after a crash before %s", step.id()).doesNotContain("retried");
        } else {
          // a kept current home (a crash after keep-current) is one more automatic backup, never a changed home
          names(tiny().home()).stream().filter(n -> !backups.contains(n)).forEach(n -> tiny().home().delete(n));
        }
      }
      run(tiny().home(), op.op(), op.argument());   // the retry
      if (op.op() == Operation.HOME_BACKUP) {
        assertThat(names(tiny().home())).contains("retried");
      }
      assertThat(booted(tiny().up())).as("after the retried %s", op.op())
          .isEqualTo(op.op() == Operation.HOME_BACKUP ? 3 : 2);
      tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    }
    try (Stream<Path> left = Files.list(state.resolve(VM).resolve("backups"))) {
      assertThat(left.map(p -> p.getFileName().toString())).as("no half-written backup").noneMatch(n -> n.endsWith(".tmp"));
    }
    tiny().destroy(Purge.EVERYTHING);
  }

  private static void run(Home home, Operation op, String argument) {
    switch (op) {
      case HOME_BACKUP -> home.backup(argument);
      case HOME_RESTORE -> home.restore(argument);
      case HOME_IMPORT -> home.importFrom(Path.of(argument));
      default -> throw new IllegalArgumentException(op.toString());
    }
  }

  private static List<String> names(Home home) {
    return home.list().stream().map(HomeBackup::name).toList();
  }

  /** Every file under the state folder with its size and time (the running VM's log and disk, locks and caches excluded). */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(state)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        String rel = state.relativize(p).toString();
        if (!rel.endsWith("serial.log") && !rel.endsWith("home.qcow2") && !rel.startsWith("locks") && !rel.startsWith("cache")) {
          out.put(rel, Files.size(p) + " " + Files.getLastModifiedTime(p));
        }
      }
    }
    return out;
  }

  static String sha256(Path file) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) {
          d.update(buf, 0, r);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
