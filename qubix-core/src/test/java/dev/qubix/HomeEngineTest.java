package dev.qubix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.HomeSupport;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's side of homes, against an in-memory backend: what it refuses before the backend sees
 * anything (undeclared operations, disposable homes, bad names, missing arguments), and how up switches
 * home modes (a stopped VM is recreated, a running one refused).
 */
class HomeEngineTest {
  @TempDir Path tmp;
  Path manifest;

  /** Records every plan request it gets, runs each as one step; its VM's home mode is a field. */
  static final class Homes implements Backend {
    final HomeSupport support;
    final List<PlanRequest> planned = new CopyOnWriteArrayList<>();
    volatile Optional<InstanceStatus.State> state = Optional.empty();
    volatile HomeMode mode = HomeMode.PERSISTENT;
    BackendContext context;

    Homes(HomeSupport support) {
      this.support = support;
    }

    @Override
    public String name() {
      return "homes";
    }

    @Override
    public ImageNeeds images() {
      return new ImageNeeds(Set.of("test"), Set.of());
    }

    @Override
    public HomeSupport homeSupport() {
      return support;
    }

    @Override
    public List<HomeBackup> homeBackups(MachineManifest m) {
      return List.of();
    }

    @Override
    public BackendPlan plan(PlanRequest r) {
      return BackendPlan.builder().step(r.operation().cliName(), r.operation().cliName(), () -> {
        planned.add(r);
        if (r.operation() == Operation.RECREATE) {
          state = Optional.of(InstanceStatus.State.RUNNING);
          mode = r.home().mode();
        } else if (r.operation() == Operation.START) {
          state = Optional.of(InstanceStatus.State.RUNNING);
        }
      }).build();
    }

    @Override
    public Optional<InstanceStatus> inspect(MachineManifest m) {
      return state.map(s -> new InstanceStatus(m.vmName(), name(), s, List.of(), Optional.empty(),
          Map.of(HomeMode.DETAIL, mode.word())));
    }

    @Override
    public Endpoint endpoint(MachineManifest m) {
      return new Endpoint("127.0.0.1", 3389);
    }

    @Override
    public BackendContext context() {
      return context;
    }

    BackendProvider provider() {
      Homes self = this;
      return new BackendProvider() {
        public String name() {
          return "homes";
        }

        public int priority() {
          return -1;
        }

        public Availability probe(HostInfo host) {
          return Availability.available("in memory");
        }

        public Backend open(BackendContext c) {
          self.context = c;
          return self;
        }
      };
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    Path image = Files.writeString(tmp.resolve("system.img"), "image");
    manifest = Files.writeString(tmp.resolve("m.json"), """
        {"schemaVersion": 3, "machines": {"box": {
          "hostName": "box", "vmName": "qubix-box", "cpuCount": 1,
          "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456,
          "network": {"mode": "dhcp"}, "rdp": {"user": "rdp"},
          "images": {"test": {"package": "box-img", "format": "raw", "path": "%s"}}}}}
        """.formatted(image));
  }

  private Appliance box(Homes b) {
    return Qubix.appliance("box").withManifest(manifest).withBackend(b.provider()).withStateDir(tmp.resolve("state"));
  }

  @Test
  void aBackendThatDeclaresNoHomeOperationsNeverSeesOneAndTheRefusalNamesIt() {
    Homes none = new Homes(HomeSupport.NONE);

    assertThatThrownBy(() -> box(none).home().backup("b")).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("the homes backend does not support home-backup");
    assertThatThrownBy(() -> box(none).home().list()).isInstanceOf(BackendUnavailableException.class);
    assertThatThrownBy(() -> box(none).withDisposableHome().up()).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("cannot run a disposable home");
    assertThatThrownBy(() -> box(none).withHomeBackups(2).build().recreate()).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("cannot back up a home");
    assertThat(box(none).home().plan(Operation.HOME_RESTORE, "b").steps()).extracting(Step::id).containsExactly("refused");
    assertThat(none.planned).isEmpty();
    assertThat(tmp.resolve("state/locks")).as("refused before the lock").doesNotExist();
  }

  @Test
  void homeOperationsReachTheBackendWithTheirNameOrFileUnderTheLock() {
    Homes all = new Homes(HomeSupport.all());

    box(all).home().restore("before-upgrade");
    box(all).home().importFrom(tmp.resolve("home.vhdx"));

    assertThat(all.planned).extracting(PlanRequest::operation).containsExactly(Operation.HOME_RESTORE, Operation.HOME_IMPORT);
    assertThat(all.planned.get(0).home().backup()).contains("before-upgrade");
    assertThat(all.planned.get(1).home().file()).contains(tmp.resolve("home.vhdx"));
    assertThat(tmp.resolve("state/locks/qubix-box.lock")).exists();
  }

  @Test
  void badNamesAreRefusedBeforeTheBackendIsAsked() {
    Homes all = new Homes(HomeSupport.all());

    for (String bad : List.of("../x", "a/b", "..", "-flag", "", "x".repeat(65), "tab\there")) {
      assertThatThrownBy(() -> box(all).home().restore(bad)).as("'%s'", bad).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("is not valid");
    }
    assertThat(all.planned).isEmpty();
    assertThat(HomeRequest.isAutomatic(HomeRequest.stamped(HomeRequest.BEFORE_RESTORE, java.time.Instant.EPOCH))).isTrue();
    assertThat(HomeRequest.stamped("backup-", java.time.Instant.parse("2025-01-02T03:04:05Z"))).isEqualTo("backup-20250102T030405Z");
  }

  @Test
  void upRecreatesAStoppedVmOfTheOtherModeAndRefusesARunningOne() {
    Homes all = new Homes(HomeSupport.all());
    box(all).up();
    all.state = Optional.of(InstanceStatus.State.RUNNING);

    assertThatThrownBy(() -> box(all).withDisposableHome().up()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("runs with a persistent home").hasMessageContaining("recreate --disposable");

    all.state = Optional.of(InstanceStatus.State.STOPPED);
    assertThat(box(all).withDisposableHome().plan(Operation.UP).steps()).extracting(Step::id).containsExactly("recreate");
    box(all).withDisposableHome().up();
    assertThat(all.planned).extracting(PlanRequest::operation).containsExactly(Operation.RECREATE, Operation.RECREATE);
    assertThat(all.mode).isEqualTo(HomeMode.DISPOSABLE);

    all.state = Optional.of(InstanceStatus.State.STOPPED);
    box(all).withDisposableHome().up();
    assertThat(all.planned.get(2).operation()).as("same mode: a plain start").isEqualTo(Operation.START);
  }
}
