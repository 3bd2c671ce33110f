package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.qubix.testing.Golden;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The microvm plans, pure and golden: what each operation does in each state of the VM folder. The
 * golden files under src/test/resources/dev/qubix/microvm/golden/ are the specification; after an
 * intended change, regenerate them with -Dqubix.golden.update=true and review the diff.
 */
class MicrovmPlannerTest {
  private static final Path GOLDEN = Path.of("src/test/resources/dev/qubix/microvm/golden");
  private static final VmFiles FILES = new VmFiles(Path.of("/state/qubix-box"));
  private static final String STORE = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-box-microvm";

  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final String OLD_IMAGE = "/nix/store/zyxwvsrqpnmlkjihgfdcba9876543210-box-microvm";

  private static final MicrovmPlanner.VmView FRESH = new MicrovmPlanner.VmView(FILES, false, false, false, Optional.empty(),
      false, HomeMode.PERSISTENT, Optional.empty(), NOW);
  /** A stopped VM made from {@link #STORE}: a recreate with the same image changes no image version. */
  private static final MicrovmPlanner.VmView EXISTING = new MicrovmPlanner.VmView(FILES, true, true, true, Optional.of(40123),
      false, HomeMode.PERSISTENT, Optional.of(STORE), NOW);
  private static final MicrovmPlanner.VmView RUNNING = new MicrovmPlanner.VmView(FILES, true, true, true, Optional.of(40123),
      true, HomeMode.PERSISTENT, Optional.of(STORE), NOW);
  private static final MicrovmPlanner.VmView OLDER_IMAGE = new MicrovmPlanner.VmView(FILES, true, true, true, Optional.of(40123),
      false, HomeMode.PERSISTENT, Optional.of(OLD_IMAGE), NOW);
  private static final MicrovmPlanner.VmView DISPOSABLE = new MicrovmPlanner.VmView(FILES, true, true, true, Optional.of(40123),
      true, HomeMode.DISPOSABLE, Optional.of(STORE), NOW);

  /** Records which action each step was given, so the test sees that every step is bound to its own. */
  private static final class Recorder implements MicrovmPlanner.Actions {
    final List<String> ran = new ArrayList<>();

    private Action named(String name) {
      return () -> ran.add(name);
    }

    public Action preflight() { return named("preflight"); }
    public Action stopOld() { return named("stopOld"); }
    public Action clean() { return named("clean"); }
    public Action systemDisk() { return named("systemDisk"); }
    public Action homeDisk() { return named("homeDisk"); }
    public Action secret() { return named("secret"); }
    public Action port() { return named("port"); }
    public Action start() { return named("start"); }
    public Action waitRunning() { return named("waitRunning"); }
    public Action startExisting() { return named("startExisting"); }
    public Action stop(Duration grace) { return named("stop " + grace.toSeconds() + " s"); }
    public Action remove(boolean purge) { return named(purge ? "remove everything" : "remove"); }
    public Action homePreflight(Operation op) { return named("homePreflight " + op.cliName()); }
    public Action copyHome(String name) { return named("copyHome " + name); }
    public Action keepBackup(String name) { return named("keepBackup " + name); }
    public Action backupBeforeRecreate(String name, int keep) { return named("backupBeforeRecreate " + name + " keep " + keep); }
    public Action copyBackupToNewHome(String name) { return named("copyBackupToNewHome " + name); }
    public Action copyFileToNewHome(Path file) { return named("copyFileToNewHome " + file); }
    public Action keepCurrentHome(String name) { return named("keepCurrentHome " + name); }
    public Action switchHome() { return named("switchHome"); }
    public Action exportHome(Path file) { return named("exportHome " + file); }
    public Action deleteBackup(String name) { return named("deleteBackup " + name); }
  }

  private static MachineManifest box(String format, boolean home) {
    TestManifest t = TestManifest.machine("box").withImagePackage("microvm", "box-microvm", format);
    return ManifestReader.read((home ? t.withHomeDisk("qubix-home", 1024) : t).json(), "box");
  }

  private static ImageSet built(String format) {
    return new ImageSet(Map.of("microvm", new Image("microvm", ImageFormat.fromJson(format).orElseThrow(), STORE, Path.of(STORE))));
  }

  private static String render(BackendPlan plan, PlanRequest r, Recorder recorder) {
    Plan p = plan.describe(r.operation(), "microvm", r.manifest().name());
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

  private static void assertGolden(String name, PlanRequest r, MicrovmPlanner.VmView vm) {
    Recorder recorder = new Recorder();
    Golden.assertMatches(GOLDEN, name, render(MicrovmPlanner.plan(r, vm, recorder), r, recorder));
  }

  @Test
  void recreateOnAFreshFolderMakesEveryDiskTheSecretAndAPort() throws Exception {
    assertGolden("recreate-fresh", PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2")), FRESH);
  }

  @Test
  void recreateOfAnExistingVmStopsItFirstAndKeepsHomeSecretAndPort() throws Exception {
    assertGolden("recreate-existing", PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2")), EXISTING);
  }

  @Test
  void recreateOfADirectImageBootsKernelAndInitrdAndWithoutHomeDiskPlansNone() throws Exception {
    assertGolden("recreate-direct-no-home", PlanRequest.of(Operation.RECREATE, box("direct", false), built("direct")), FRESH);
  }

  @Test
  void withTheSecretServiceAFreshVmsSecretIsPlannedThereWithTheFileAsFallback() throws Exception {
    MicrovmPlanner.VmView fresh = new MicrovmPlanner.VmView(FILES, false, false, false, Optional.empty(),
        false, HomeMode.PERSISTENT, Optional.empty(), NOW, Optional.of("the Secret Service (secret-tool, qubix-vm=/state/qubix-box)"));

    BackendPlan p = MicrovmPlanner.plan(PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2")), fresh, new Recorder());

    assertThat(p.steps()).filteredOn(s -> s.step().id().equals("secret")).singleElement().satisfies(s -> assertThat(s.step().description())
        .isEqualTo("keep the VM's RDP secret in the Secret Service (secret-tool, qubix-vm=/state/qubix-box), or generate "
            + "the VM's RDP secret (192 random bits) there; in /state/qubix-box/rdp-password (0600) if the Secret Service fails"));
  }

  @Test
  void aPlanShownBeforeTheBuildNamesThePackageNixWillBuild() throws Exception {
    assertGolden("recreate-unbuilt", PlanRequest.show(Operation.RECREATE, box("qcow2", true), ImageSet.empty()), FRESH);
  }

  @Test
  void startStopDestroyAndPurge() throws Exception {
    MachineManifest m = box("qcow2", true);
    assertGolden("start", PlanRequest.of(Operation.START, m, ImageSet.empty()), EXISTING);
    assertGolden("stop", new PlanRequest(Operation.STOP, m, ImageSet.empty(), Duration.ofSeconds(90), PlanRequest.Purpose.RUN),
        EXISTING);
    assertGolden("destroy", PlanRequest.of(Operation.DESTROY, m, ImageSet.empty()), EXISTING);
    assertGolden("purge", PlanRequest.of(Operation.PURGE, m, ImageSet.empty()), EXISTING);
  }

  private static PlanRequest home(Operation op, MachineManifest m, HomeRequest h) {
    return PlanRequest.of(op, m, ImageSet.empty()).withHome(h);
  }

  @Test
  void aRecreateThatChangesTheImageBacksTheHomeUpFirstAndKeepsOne() throws Exception {
    assertGolden("recreate-new-image", PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2")), OLDER_IMAGE);
  }

  @Test
  void backupBeforeRecreateCanBeAskedAlwaysOrTurnedOff() throws Exception {
    MachineManifest m = box("qcow2", true);
    HomeRequest always = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.PERSISTENT,
        new HomeRequest.BeforeRecreate(HomeRequest.BeforeRecreate.When.ALWAYS, 3));
    HomeRequest never = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.PERSISTENT, HomeRequest.BeforeRecreate.NEVER);

    assertGolden("recreate-backup-home", PlanRequest.of(Operation.RECREATE, m, built("qcow2")).withHome(always), EXISTING);
    Recorder r = new Recorder();
    assertThat(MicrovmPlanner.plan(PlanRequest.of(Operation.RECREATE, m, built("qcow2")).withHome(never), OLDER_IMAGE, r)
        .steps()).extracting(s -> s.step().id()).doesNotContain("backup-home");
  }

  @Test
  void aDisposableRecreateRunsOnAnOverlayAndMakesNoHomeDisk() throws Exception {
    HomeRequest disposable = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.DISPOSABLE, null);
    assertGolden("recreate-disposable", PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2"))
        .withHome(disposable), EXISTING);
    assertGolden("recreate-disposable-fresh", PlanRequest.of(Operation.RECREATE, box("qcow2", true), built("qcow2"))
        .withHome(disposable), FRESH);
    assertGolden("stop-disposable", PlanRequest.of(Operation.STOP, box("qcow2", true), ImageSet.empty()), DISPOSABLE);
  }

  @Test
  void homeBackupOfAStoppedVmConvertsAndOfARunningOneCopiesThroughQemu() throws Exception {
    MachineManifest m = box("qcow2", true);
    assertGolden("home-backup", home(Operation.HOME_BACKUP, m, HomeRequest.backup("before-upgrade")), EXISTING);
    assertGolden("home-backup-running", home(Operation.HOME_BACKUP, m, HomeRequest.NONE), RUNNING);
  }

  @Test
  void restoreAndImportCopyFirstKeepTheCurrentHomeThenSwitchInOneRename() throws Exception {
    MachineManifest m = box("qcow2", true);
    assertGolden("home-restore", home(Operation.HOME_RESTORE, m, HomeRequest.backup("before-upgrade")), EXISTING);
    assertGolden("home-import", home(Operation.HOME_IMPORT, m, HomeRequest.file(Path.of("/media/usb/home.vhdx"))), EXISTING);
  }

  @Test
  void exportDeleteAndAPlanShownWithoutItsArgument() throws Exception {
    MachineManifest m = box("qcow2", true);
    assertGolden("home-export", home(Operation.HOME_EXPORT, m, HomeRequest.file(Path.of("/media/usb/home.qcow2"))), EXISTING);
    assertGolden("home-delete", home(Operation.HOME_DELETE, m, HomeRequest.backup("before-upgrade")), EXISTING);
    assertGolden("home-restore-unnamed", home(Operation.HOME_RESTORE, m, HomeRequest.NONE), EXISTING);
  }

  @Test
  void upIsNeverPlannedByTheBackend() {
    assertThatThrownBy(() -> PlanRequest.of(Operation.UP, box("qcow2", true), ImageSet.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decided by the engine");
  }
}
