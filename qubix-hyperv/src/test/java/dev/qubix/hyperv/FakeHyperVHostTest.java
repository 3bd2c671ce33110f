package dev.qubix.hyperv;

import dev.qubix.spi.PlanRequest;

import dev.qubix.spi.HomeRequest;

import dev.qubix.Operation;

import dev.qubix.HomeBackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.event.ProgressEvent;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake host answers the real backend as Qubix's scripts would: it checks before it acts, and it
 * refuses, before changing anything, what the scripts refuse and the Java side relies on.
 */
class FakeHyperVHostTest {
  private static final String VM_DIR = "C:\\HyperV\\Qubix\\qubix-spotibox";

  @TempDir Path state;
  @TempDir Path windows;
  @TempDir Path built;

  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private final MachineManifest m = Fixtures.dhcp();
  private FakeHyperVHost host;
  private HyperVBackend backend;
  private ImageSet images;

  @BeforeEach
  void anEmptyHostAndBuiltImages() throws IOException {
    host = new FakeHyperVHost(windows);
    backend = new HyperVBackend(host.wslContext(state, events::add, Duration.ofMinutes(1)));
    Path system = Files.writeString(built.resolve("0123456789abcdefghijklmnopqrstuv-spotibox-vhdx.vhdx"), "system image");
    Path home = Files.writeString(built.resolve("abcdefghijklmnopqrstuv0123456789-home.vhdx"), "home image");
    images = new ImageSet(Map.of("hyperv", new Image("hyperv", ImageFormat.VHDX, system.toString(), system),
        "home", new Image("home", ImageFormat.VHDX, home.toString(), home)));
  }

  @Test
  void theVmsSecretReachesTheGuestsKvpItemOnStdinOnlyAndSurvivesARecreate() {
    Ops.recreate(backend, m, images);
    String secret = host.kvpSecret("qubix-spotibox");

    assertThat(secret).matches("[A-Za-z0-9_-]{32}");
    assertThat(backend.rdpPassword(m)).contains(secret);
    assertThat(host.argvs()).noneMatch(argv -> String.join(" ", argv).contains(secret));
    assertThat(events).noneMatch(e -> e.toString().contains(secret));

    Ops.stop(backend, m, Duration.ofSeconds(5));
    Ops.recreate(backend, m, images);
    assertThat(host.kvpSecret("qubix-spotibox")).isEqualTo(secret);
  }

  @Test
  void aSecondRecreateFindsTheBaseImageCachedAndKeepsTheHomeDisk() throws IOException {
    Ops.recreate(backend, m, images);
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "written by the guest");
    events.clear();

    Ops.recreate(backend, m, images);

    assertThat(events).filteredOn(ProgressEvent.Log.class::isInstance).extracting(e -> ((ProgressEvent.Log) e).line())
        .contains("base-image: nothing to do, the base image is cached", "home-disk-seed: nothing to do, the home disk is kept");
    assertThat(home).hasContent("written by the guest");
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
  }

  @Test
  void aVmQubixDidNotMakeIsRefusedBeforeAnythingChanges() {
    host.addForeignVm("qubix-spotibox", "C:\\Users\\someone\\VMs\\qubix-spotibox");

    assertThatThrownBy(() -> Ops.recreate(backend, m, images)).isInstanceOf(HyperVScriptException.class)
        .hasMessageContaining("Qubix did not create it").extracting(e -> ((HyperVScriptException) e).category())
        .isEqualTo("vm-conflict");
    assertThat(windows.resolve("c/HyperV")).doesNotExist();
  }

  @Test
  void purgeDeletesNothingInAFolderWithoutQubixsMark() throws IOException {
    Path mine = Files.createDirectories(host.local(VM_DIR)).resolve("notes.txt");
    Files.writeString(mine, "not Qubix's");

    assertThatThrownBy(() -> Ops.destroy(backend, m, Purge.EVERYTHING)).isInstanceOf(HyperVScriptException.class)
        .extracting(e -> ((HyperVScriptException) e).category()).isEqualTo("unsafe-path");
    assertThat(mine).hasContent("not Qubix's");
  }

  @Test
  void stopAndStartReportTheStateTheVmEndedInAndNeedAVm() {
    assertThatThrownBy(() -> Ops.start(backend, m)).isInstanceOf(HyperVScriptException.class)
        .extracting(e -> ((HyperVScriptException) e).category()).isEqualTo("not-found");
    Ops.recreate(backend, m, images);

    Ops.stop(backend, m, Duration.ofSeconds(5));
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.STOPPED);
    Ops.start(backend, m);
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
  }

  @Test
  void gcRemovesTheBaseImagesNoVmUsesAndKeepsTheOneInUse() throws IOException {
    Ops.recreate(backend, m, images);
    Files.writeString(host.local("C:\\HyperV\\Qubix\\images\\old.vhdx"), "an older build");

    List<String> removed = backend.gc(m);

    assertThat(removed).containsExactly("C:\\HyperV\\Qubix\\images\\old.vhdx");
    assertThat(host.local("C:\\HyperV\\Qubix\\images\\0123456789abcdefghijklmnopqrstuv.vhdx")).exists();
  }

  private void home(Operation op, HomeRequest h) {
    Ops.run(backend, PlanRequest.of(op, m, ImageSet.empty()).withHome(h));
  }

  /** Issue 15: backup, a change, restore: the home is the backup again, the backup unchanged, the changed home kept. */
  @Test
  void aRestoredBackupBringsTheHomeBackAndKeepsTheCurrentOneFirst() throws IOException {
    Ops.recreate(backend, m, images);
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "boot 1");
    assertThatThrownBy(() -> home(Operation.HOME_BACKUP, HomeRequest.backup("one")))
        .as("bad input: exit 2").isInstanceOf(dev.qubix.ConfigurationException.class).hasMessageContaining("stop it first");
    Ops.stop(backend, m, Duration.ofSeconds(5));

    home(Operation.HOME_BACKUP, HomeRequest.backup("one"));
    Files.writeString(home, "boot 2");
    home(Operation.HOME_RESTORE, HomeRequest.backup("one"));

    assertThat(home).hasContent("boot 1");
    assertThat(host.local(VM_DIR + "\\backups\\one.vhdx")).hasContent("boot 1");
    assertThat(host.local(VM_DIR + "\\backups\\.partial")).isEmptyDirectory();
    List<HomeBackup> backups = backend.homeBackups(m);
    assertThat(backups).extracting(HomeBackup::name).hasSize(2).contains("one").anyMatch(n -> n.startsWith("before-restore-"));
    assertThat(backups).filteredOn(HomeBackup::automatic).singleElement()
        .satisfies(b -> assertThat(host.local(VM_DIR + "\\backups\\" + b.name() + ".vhdx")).hasContent("boot 2"));
    assertThat(backups).filteredOn(b -> b.name().equals("one")).singleElement()
        .satisfies(b -> assertThat(b.imageVersion()).contains("0123456789abcdefghijklmnopqrstuv"));
  }

  @Test
  void anUnknownBackupOrANonDiskFileChangesNothing() throws IOException {
    Ops.recreate(backend, m, images);
    Ops.stop(backend, m, Duration.ofSeconds(5));
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "mine");
    Path empty = Files.createFile(host.local("C:\\Users").getParent().resolve("empty.vhdx"));

    assertThatThrownBy(() -> home(Operation.HOME_RESTORE, HomeRequest.backup("nope")))
        .isInstanceOf(dev.qubix.ConfigurationException.class).hasMessageContaining("no backup named nope")
        .hasCauseInstanceOf(HyperVScriptException.class);
    assertThatThrownBy(() -> home(Operation.HOME_IMPORT, HomeRequest.file(Path.of("/mnt/c/empty.vhdx"))))
        .isInstanceOf(dev.qubix.ConfigurationException.class).hasMessageContaining("not a usable disk image");
    assertThatThrownBy(() -> home(Operation.HOME_IMPORT, HomeRequest.file(Path.of("/home/me/home.vhdx"))))
        .isInstanceOf(dev.qubix.ConfigurationException.class).hasMessageContaining("inside WSL");
    assertThatThrownBy(() -> home(Operation.HOME_EXPORT, HomeRequest.file(Path.of("/mnt/c/home.qcow2"))))
        .isInstanceOf(dev.qubix.ConfigurationException.class).hasMessageContaining(".vhdx or .vhd");

    assertThat(home).hasContent("mine");
    assertThat(empty).isEmptyFile();
    assertThat(backend.homeBackups(m)).isEmpty();
  }

  @Test
  void anExportImportedAgainIsTheHome() throws IOException {
    Ops.recreate(backend, m, images);
    Ops.stop(backend, m, Duration.ofSeconds(5));
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "exported");

    home(Operation.HOME_EXPORT, HomeRequest.file(Path.of("/mnt/c/out.vhdx")));
    Files.writeString(home, "later");
    home(Operation.HOME_IMPORT, HomeRequest.file(Path.of("/mnt/c/out.vhdx")));

    assertThat(host.local("C:\\out.vhdx")).hasContent("exported");
    assertThat(home).hasContent("exported");
    assertThat(backend.homeBackups(m)).singleElement().satisfies(b -> assertThat(b.automatic()).isTrue());
  }

  /** Issue 15: by default a recreate onto a new image backs the home up first, keeping the newest one. */
  @Test
  void aRecreateOntoANewImageBacksTheHomeUpFirst() throws IOException {
    Ops.run(backend, PlanRequest.of(Operation.RECREATE, m, images));
    Ops.run(backend, PlanRequest.of(Operation.RECREATE, m, images));
    assertThat(backend.homeBackups(m)).as("the same image: no backup").isEmpty();
    Path next = Files.writeString(built.resolve("zyxwvutsrqponmlkjihgfedcba987654-spotibox-vhdx.vhdx"), "system image 2");
    ImageSet newer = new ImageSet(Map.of("hyperv", new Image("hyperv", ImageFormat.VHDX, next.toString(), next),
        "home", images.get("home").orElseThrow()));

    Ops.run(backend, PlanRequest.of(Operation.RECREATE, m, newer));

    assertThat(backend.homeBackups(m)).singleElement().satisfies(b -> {
      assertThat(b.name()).startsWith("before-recreate-");
      assertThat(b.automatic()).isTrue();
      assertThat(b.imageVersion()).contains("0123456789abcdefghijklmnopqrstuv");
    });
  }

  /**
   * Issue 15: a disposable run writes an overlay, never the home; stop discards it; status says which
   * home the VM runs; a persistent recreate finds the home as it was.
   */
  @Test
  void aDisposableRunLeavesTheHomeUntouched() throws IOException {
    Ops.recreate(backend, m, images);
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "n");
    Ops.stop(backend, m, Duration.ofSeconds(5));
    HomeRequest disposable = new HomeRequest(java.util.Optional.empty(), java.util.Optional.empty(), dev.qubix.HomeMode.DISPOSABLE,
        HomeRequest.BeforeRecreate.NEVER);

    Ops.run(backend, PlanRequest.of(Operation.RECREATE, m, images).withHome(disposable));
    Path overlay = host.local(VM_DIR + "\\qubix-spotibox-home-disposable.vhdx");
    assertThat(overlay).content().startsWith("fake differencing VHDX over " + VM_DIR + "\\qubix-spotibox-home.vhdx");
    assertThat(backend.inspect(m)).hasValueSatisfying(s -> assertThat(s.details()).containsEntry("home", "disposable"));
    Files.writeString(overlay, "written by the disposable run");
    Ops.stop(backend, m, Duration.ofSeconds(5));

    assertThat(overlay).doesNotExist();
    assertThat(home).hasContent("n");
    Ops.start(backend, m);
    assertThat(overlay).content().startsWith("fake differencing VHDX over ");
    Ops.stop(backend, m, Duration.ofSeconds(5));
    Ops.recreate(backend, m, images);
    assertThat(backend.inspect(m)).hasValueSatisfying(s -> assertThat(s.details()).containsEntry("home", "persistent"));
    assertThat(home).hasContent("n");
    assertThat(overlay).doesNotExist();
  }

  @Test
  void aDisposableVmWithoutAHomeDiskMakesNone() {
    HomeRequest disposable = new HomeRequest(java.util.Optional.empty(), java.util.Optional.empty(), dev.qubix.HomeMode.DISPOSABLE,
        HomeRequest.BeforeRecreate.NEVER);

    Ops.run(backend, PlanRequest.of(Operation.RECREATE, m, images).withHome(disposable));

    assertThat(host.local(VM_DIR + "\\qubix-spotibox-home.vhdx")).doesNotExist();
    assertThat(host.local(VM_DIR + "\\qubix-spotibox-home-base.vhdx")).hasContent("home image");
  }

  /** Issue 15: backups live in the VM folder: destroy keeps them, purge deletes them. */
  @Test
  void aBackupSurvivesDestroyAndGoesWithPurge() {
    Ops.recreate(backend, m, images);
    Ops.stop(backend, m, Duration.ofSeconds(5));
    home(Operation.HOME_BACKUP, HomeRequest.backup("keep-me"));

    Ops.destroy(backend, m, dev.qubix.Purge.KEEP_HOME);
    assertThat(backend.homeBackups(m)).extracting(HomeBackup::name).containsExactly("keep-me");
    Ops.destroy(backend, m, dev.qubix.Purge.EVERYTHING);
    assertThat(backend.homeBackups(m)).isEmpty();
    assertThat(host.local(VM_DIR + "\\backups")).doesNotExist();
  }

  /** Stops a script at the start line of one step, before that step acts, as a killed process would. */
  private static final class Halt extends Error {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Issue 15: a restore or import stopped before any of its steps leaves the home usable (the old one
   * or the new, never none) and the backup unchanged, and the same operation run again succeeds.
   */
  @Test
  void aRestoreOrImportStoppedBeforeAnyStepLeavesAUsableHomeAndARetrySucceeds() throws IOException {
    String[] haltAt = {""};
    HyperVBackend halting = new HyperVBackend(host.wslContext(state, e -> {
      if (e instanceof ProgressEvent.StepStarted s && s.step().equals(haltAt[0])) {
        throw new Halt();
      }
    }, Duration.ofMinutes(1)));
    Ops.recreate(backend, m, images);
    Ops.stop(backend, m, Duration.ofSeconds(5));
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "saved");
    home(Operation.HOME_BACKUP, HomeRequest.backup("saved"));
    home(Operation.HOME_EXPORT, HomeRequest.file(Path.of("/mnt/c/saved.vhdx")));

    for (String step : List.of("copy-backup", "copy-file", "keep-current", "switch-home")) {
      Files.writeString(home, "current");
      boolean restore = !step.equals("copy-file");
      PlanRequest r = PlanRequest.of(restore ? Operation.HOME_RESTORE : Operation.HOME_IMPORT, m, ImageSet.empty())
          .withHome(restore ? HomeRequest.backup("saved") : HomeRequest.file(Path.of("/mnt/c/saved.vhdx")));
      haltAt[0] = step;
      assertThatThrownBy(() -> Ops.run(halting, r)).isInstanceOf(Halt.class);
      assertThat(Files.readString(home)).as("halted before %s", step).isIn("current", "saved");
      assertThat(host.local(VM_DIR + "\\backups\\saved.vhdx")).hasContent("saved");

      haltAt[0] = "";
      Ops.run(halting, r);
      assertThat(home).as("retried after a halt before %s", step).hasContent("saved");
    }
  }

  /** Issue 15: a backup stopped before either step leaves no backup, and the same backup run again succeeds. */
  @Test
  void aBackupStoppedBeforeAnyStepLeavesNoHalfBackupAndARetrySucceeds() throws IOException {
    String[] haltAt = {""};
    HyperVBackend halting = new HyperVBackend(host.wslContext(state, e -> {
      if (e instanceof ProgressEvent.StepStarted s && s.step().equals(haltAt[0])) {
        throw new Halt();
      }
    }, Duration.ofMinutes(1)));
    Ops.recreate(backend, m, images);
    Ops.stop(backend, m, Duration.ofSeconds(5));
    Files.writeString(host.local(VM_DIR + "\\qubix-spotibox-home.vhdx"), "home");

    for (String step : List.of("copy-home", "keep-backup")) {
      PlanRequest r = PlanRequest.of(Operation.HOME_BACKUP, m, ImageSet.empty()).withHome(HomeRequest.backup(step));
      haltAt[0] = step;
      assertThatThrownBy(() -> Ops.run(halting, r)).isInstanceOf(Halt.class);
      assertThat(backend.homeBackups(m)).as("halted before %s", step).extracting(HomeBackup::name).doesNotContain(step);

      haltAt[0] = "";
      Ops.run(halting, r);
      assertThat(host.local(VM_DIR + "\\backups\\" + step + ".vhdx")).hasContent("home");
    }
  }
}
