package dev.qubix.nspawn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.HomeMode;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Step;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import dev.qubix.testing.TestManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The nspawn plans, pure and golden: what each operation does in each state of the container folder.
 * The golden files under src/test/resources/dev/qubix/nspawn/golden/ are the specification; after an
 * intended change, regenerate them with -Dqubix.golden.update=true and review the diff.
 */
class NspawnPlannerTest {
  private static final Path GOLDEN = Path.of("src/test/resources/dev/qubix/nspawn/golden");
  private static final ContainerFiles FILES = new ContainerFiles(Path.of("/state/qubix-box"));
  private static final String STORE = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-box-rootfs";

  private static final NspawnPlanner.ContainerView FRESH = new NspawnPlanner.ContainerView(FILES, false, false, false,
      Optional.empty(), false);
  private static final NspawnPlanner.ContainerView EXISTING = new NspawnPlanner.ContainerView(FILES, true, true, true,
      Optional.of(40123), false);

  /** Records which action each step was given, so the test sees that every step is bound to its own. */
  private static final class Recorder implements NspawnPlanner.Actions {
    final List<String> ran = new ArrayList<>();

    private Action named(String name) {
      return () -> ran.add(name);
    }

    public Action preflight() { return named("preflight"); }
    public Action stopOld() { return named("stopOld"); }
    public Action clean() { return named("clean"); }
    public Action systemLayer() { return named("systemLayer"); }
    public Action home() { return named("home"); }
    public Action secret() { return named("secret"); }
    public Action port() { return named("port"); }
    public Action start() { return named("start"); }
    public Action waitRunning() { return named("waitRunning"); }
    public Action startExisting() { return named("startExisting"); }
    public Action stop(Duration grace) { return named("stop " + grace.toSeconds() + " s"); }
    public Action remove(boolean purge) { return named(purge ? "remove everything" : "remove"); }
    public Action homePreflight(Operation op) { return named("homePreflight " + op); }
    public Action copyHome(String name) { return named("copyHome " + name); }
    public Action keepBackup(String name) { return named("keepBackup " + name); }
    public Action copyBackupToNewHome(String name) { return named("copyBackupToNewHome " + name); }
    public Action unpackToNewHome(Path file) { return named("unpackToNewHome " + file); }
    public Action keepCurrentHome(String name) { return named("keepCurrentHome " + name); }
    public Action switchHome() { return named("switchHome"); }
    public Action exportHome(Path file) { return named("exportHome " + file); }
    public Action deleteBackup(String name) { return named("deleteBackup " + name); }
    public Action backupBeforeRecreate(String name, int keep) { return named("backupBeforeRecreate " + name + " keep " + keep); }
  }

  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final String OLD_STORE = "/nix/store/zyxwvsrqpnmlkjihgfdcba9876543210-box-rootfs";
  /** An existing, stopped container made from an older image. */
  private static final NspawnPlanner.ContainerView OLDER_IMAGE = new NspawnPlanner.ContainerView(FILES, true, true, true,
      Optional.of(40123), false, false, HomeMode.PERSISTENT, Optional.of(OLD_STORE), NOW);
  private static final NspawnPlanner.ContainerView SAME_IMAGE = new NspawnPlanner.ContainerView(FILES, true, true, true,
      Optional.of(40123), false, false, HomeMode.PERSISTENT, Optional.of(STORE), NOW);
  private static final NspawnPlanner.ContainerView DISPOSABLE_RUNNING = new NspawnPlanner.ContainerView(FILES, true, true,
      true, Optional.of(40123), false, true, HomeMode.DISPOSABLE, Optional.of(STORE), NOW);

  private static PlanRequest home(Operation op, MachineManifest m, HomeRequest h) {
    return PlanRequest.of(op, m, ImageSet.empty()).withHome(h);
  }

  @Test
  void aBackupCopiesTheStoppedHomeFolderUnderATemporaryNameAndRenamesItWhenWhole() throws Exception {
    MachineManifest m = box("rootfs", true);
    assertGolden("home-backup", home(Operation.HOME_BACKUP, m, HomeRequest.backup("before-upgrade")), SAME_IMAGE);
    assertGolden("home-backup-unnamed", home(Operation.HOME_BACKUP, m, HomeRequest.NONE), SAME_IMAGE);
  }

  @Test
  void restoreAndImportWriteANewHomeKeepTheCurrentOneByARenameAndSwitchByARename() throws Exception {
    MachineManifest m = box("rootfs", true);
    assertGolden("home-restore", home(Operation.HOME_RESTORE, m, HomeRequest.backup("before-upgrade")), SAME_IMAGE);
    assertGolden("home-import", home(Operation.HOME_IMPORT, m, HomeRequest.file(Path.of("/media/usb/home.tar.gz"))), SAME_IMAGE);
    assertGolden("home-restore-unnamed", home(Operation.HOME_RESTORE, m, HomeRequest.NONE), SAME_IMAGE);
  }

  @Test
  void exportWritesATarArchiveAndDeleteRemovesOneBackup() throws Exception {
    MachineManifest m = box("rootfs", true);
    assertGolden("home-export", home(Operation.HOME_EXPORT, m, HomeRequest.file(Path.of("/media/usb/home.tar"))), SAME_IMAGE);
    assertGolden("home-delete", home(Operation.HOME_DELETE, m, HomeRequest.backup("before-upgrade")), SAME_IMAGE);
  }

  @Test
  void aRecreateWhoseImageChangesBacksTheHomeUpFirstAndOneWithTheSameImageDoesNot() throws Exception {
    MachineManifest m = box("rootfs", true);
    assertGolden("recreate-image-changed", PlanRequest.of(Operation.RECREATE, m, built("rootfs")), OLDER_IMAGE);
    BackendPlan same = NspawnPlanner.plan(PlanRequest.of(Operation.RECREATE, m, built("rootfs")), SAME_IMAGE, new Recorder());
    assertThat(same.steps()).extracting(s -> s.step().id()).doesNotContain("backup-home");
    HomeRequest never = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.PERSISTENT, HomeRequest.BeforeRecreate.NEVER);
    BackendPlan off = NspawnPlanner.plan(PlanRequest.of(Operation.RECREATE, m, built("rootfs")).withHome(never), OLDER_IMAGE,
        new Recorder());
    assertThat(off.steps()).extracting(s -> s.step().id()).doesNotContain("backup-home");
    HomeRequest always = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.PERSISTENT,
        new HomeRequest.BeforeRecreate(HomeRequest.BeforeRecreate.When.ALWAYS, 3));
    assertGolden("recreate-backup-home", PlanRequest.of(Operation.RECREATE, m, built("rootfs")).withHome(always), SAME_IMAGE);
  }

  @Test
  void aDisposableRecreateRunsOnAnOverlayOverTheHomeFolderAndStopDiscardsIt() throws Exception {
    MachineManifest m = box("rootfs", true);
    HomeRequest disposable = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.DISPOSABLE,
        HomeRequest.BeforeRecreate.DEFAULT);
    assertGolden("recreate-disposable", PlanRequest.of(Operation.RECREATE, m, built("rootfs")).withHome(disposable), SAME_IMAGE);
    assertGolden("recreate-disposable-fresh", PlanRequest.of(Operation.RECREATE, m, built("rootfs")).withHome(disposable), FRESH);
    assertGolden("stop-disposable", PlanRequest.of(Operation.STOP, m, ImageSet.empty()), DISPOSABLE_RUNNING);
    assertGolden("recreate-persistent-after-disposable", PlanRequest.of(Operation.RECREATE, m, built("rootfs")),
        DISPOSABLE_RUNNING);
  }

  private static MachineManifest box(String format, boolean home) {
    TestManifest t = TestManifest.machine("box").withImagePackage("nspawn", "box-rootfs", format);
    return ManifestReader.read((home ? t.withHomeDisk(64) : t).json(), "box");
  }

  private static ImageSet built(String format) {
    return new ImageSet(Map.of("nspawn", new Image("nspawn", ImageFormat.fromJson(format).orElseThrow(), STORE, Path.of(STORE))));
  }

  private static String render(BackendPlan plan, PlanRequest r, Recorder recorder) {
    Plan p = plan.describe(r.operation(), "nspawn", r.manifest().name());
    plan.preflight().ifPresent(Action::run);
    plan.steps().forEach(s -> s.action().run());
    StringBuilder sb = new StringBuilder(p.toString()).append("\n\nsteps → actions:");
    for (int i = 0; i < p.steps().size(); i++) {
      Step s = p.steps().get(i);
      sb.append("\n  ").append(s.id()).append(" → ").append(recorder.ran.get(i + (plan.preflight().isPresent() ? 1 : 0)));
    }
    plan.preflight().ifPresent(a -> sb.append("\npreflight → ").append(recorder.ran.get(0)));
    return sb.append('\n').toString();
  }

  private static void assertGolden(String name, PlanRequest r, NspawnPlanner.ContainerView c) throws Exception {
    Recorder recorder = new Recorder();
    String actual = render(NspawnPlanner.plan(r, c, recorder), r, recorder);
    Path file = GOLDEN.resolve(name + ".txt");
    if (Boolean.getBoolean("qubix.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(file).as("golden file (create it with -Dqubix.golden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void recreateOnAFreshFolderCopiesTheRootfsMakesHomeSecretAndAPort() throws Exception {
    assertGolden("recreate-fresh", PlanRequest.of(Operation.RECREATE, box("rootfs", true), built("rootfs")), FRESH);
  }

  @Test
  void recreateOfAnExistingContainerStopsItFirstAndKeepsHomeSecretAndPort() throws Exception {
    assertGolden("recreate-existing", PlanRequest.of(Operation.RECREATE, box("rootfs", true), built("rootfs")), EXISTING);
  }

  @Test
  void recreateOfANixosSystemMakesAnEmptyRootAndWithoutHomePlansNone() throws Exception {
    assertGolden("recreate-nixos-no-home", PlanRequest.of(Operation.RECREATE, box("nixos-system", false),
        built("nixos-system")), FRESH);
  }

  @Test
  void withSystemdAsPid1TheContainerIsRegisteredWithMachined() throws Exception {
    NspawnPlanner.ContainerView registered = new NspawnPlanner.ContainerView(FILES, false, false, false, Optional.empty(), true);
    assertGolden("recreate-registered", PlanRequest.of(Operation.RECREATE, box("rootfs", true), built("rootfs")), registered);
  }

  @Test
  void aPlanShownBeforeTheBuildNamesThePackageNixWillBuild() throws Exception {
    assertGolden("recreate-unbuilt", PlanRequest.show(Operation.RECREATE, box("rootfs", true), ImageSet.empty()), FRESH);
  }

  @Test
  void startStopDestroyAndPurge() throws Exception {
    MachineManifest m = box("rootfs", true);
    assertGolden("start", PlanRequest.of(Operation.START, m, ImageSet.empty()), EXISTING);
    assertGolden("stop", new PlanRequest(Operation.STOP, m, ImageSet.empty(), Duration.ofSeconds(90), PlanRequest.Purpose.RUN),
        EXISTING);
    assertGolden("destroy", PlanRequest.of(Operation.DESTROY, m, ImageSet.empty()), EXISTING);
    assertGolden("purge", PlanRequest.of(Operation.PURGE, m, ImageSet.empty()), EXISTING);
  }
}
