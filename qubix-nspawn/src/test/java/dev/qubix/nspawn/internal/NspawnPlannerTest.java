package dev.qubix.nspawn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Step;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import dev.qubix.testing.TestManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
