package dev.qubix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestration in Appliance/Instance against an in-memory backend: the SPI contract is what
 * is tested here, the real backends have their own end-to-end tests.
 */
class ApplianceTest {
  @TempDir Path tmp;
  Path manifest;
  final Recording backend = new Recording();

  @BeforeEach
  void setUp() throws Exception {
    Path image = Files.writeString(tmp.resolve("system.img"), "image");
    manifest = tmp.resolve("m.json");
    Files.writeString(manifest, """
        {"schemaVersion": 3, "machines": {"box": {
          "hostName": "box", "vmName": "qubix-box", "cpuCount": 1,
          "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456,
          "network": {"mode": "dhcp"}, "rdp": {"user": "rdp"},
          "images": {"test": {"package": "box-img", "format": "raw", "path": "%s"}}}}}
        """.formatted(image));
  }

  private Appliance box() {
    return Qubix.appliance("box").withManifest(manifest).withBackend(new Provider(backend)).withStateDir(tmp.resolve("state"));
  }

  @Test
  void buildResolvesPrebuiltImagePathsWithoutNix() {
    BuiltAppliance b = box().build();

    assertThat(b.images().get("test")).extracting(i -> i.file()).isEqualTo(tmp.resolve("system.img"));
    assertThat(b.manifest().vmName()).isEqualTo("qubix-box");
  }

  @Test
  void aBackendHandedInServesThatApplianceOnlyAndRegistersNothingGlobally() {
    box().build().recreate();

    assertThat(box().backendName()).isEqualTo("recording");
    assertThat(Qubix.backends()).extracting(BackendInfo::name).doesNotContain("recording");
    assertThatThrownBy(() -> Qubix.appliance("box").withManifest(manifest).withBackend("recording").status())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("unknown backend 'recording'");
  }

  @Test
  void upCreatesOnceThenOnlyStartsAndNeverRecreatesALiveVm() {
    box().up();
    box().up();
    backend.running = false;
    box().up();

    assertThat(backend.calls).containsExactly("recreate", "start");
  }

  @Test
  void instanceIsEmptyUntilTheVmExists() {
    assertThat(box().instance()).isEmpty();
    box().build().recreate();
    assertThat(box().instance()).get().extracting(Instance::name).isEqualTo("qubix-box");
  }

  @Test
  void overridesReachTheBackend() {
    box().withOverrides("{\"cpuCount\": 3}").build().recreate();

    assertThat(backend.lastManifest.cpuCount()).isEqualTo(3);
  }

  @Test
  void prebuiltManifestWithoutImagePathSaysWhichFieldIsMissing() throws Exception {
    Files.writeString(manifest, Files.readString(manifest).replaceAll(", \"path\": \"[^\"]*\"", ""));

    assertThatThrownBy(() -> box().build())
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith("/machines/box/images/test/path: missing");
  }

  @Test
  void overridesAreParsedOnceWhenGivenSoABadPatchIsRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> box().withOverrides("{\"cpuCount\": 4}{")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("overrides are not valid JSON");
    assertThatThrownBy(() -> box().withOverrides("[".repeat(100_000))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("too deeply nested");
    assertThat(backend.calls).isEmpty();
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void invalidMachineNameIsRejectedBeforeAnythingRuns() {
    assertThatThrownBy(() -> Qubix.appliance("../etc")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'../etc' is not allowed");
    assertThat(backend.calls).isEmpty();
  }

  @Test
  void secondProcessChangingTheSameVmFailsWithLockedException() throws Exception {
    backend.blockRecreate = new CountDownLatch(1);
    CompletableFuture<Instance> first = CompletableFuture.supplyAsync(() -> box().build().recreate());
    backend.recreateEntered.await(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> box().withLockWait(Duration.ofMillis(200)).build().recreate())
        .isInstanceOf(LockedException.class).hasMessageContaining("recreate since");

    backend.blockRecreate.countDown();
    first.get(10, TimeUnit.SECONDS);
    assertThat(backend.calls).containsExactly("recreate");
  }

  @Test
  void unavailableBackendRefusesChangesButStillPlans() {
    backend.available = false;

    assertThatThrownBy(() -> box().up()).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("backend recording cannot run here: switched off — switch it on");
    assertThat(box().plan(Operation.RECREATE).steps()).extracting(Step::id).containsExactly("recreate");
  }

  static final class Recording implements Backend {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile boolean exists;
    volatile boolean running;
    volatile boolean available = true;
    volatile MachineManifest lastManifest;
    volatile CountDownLatch blockRecreate;
    final CountDownLatch recreateEntered = new CountDownLatch(1);
    BackendContext context;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public ImageNeeds images() {
      return new ImageNeeds(Set.of("test"), Set.of("home"));
    }

    @Override
    public BackendPlan plan(PlanRequest r) {
      MachineManifest m = r.manifest();
      return switch (r.operation()) {
        case RECREATE -> BackendPlan.builder().step("recreate", "recreate " + m.vmName(), () -> recreate(m)).build();
        case START -> BackendPlan.builder().step("start", "start", () -> {
          calls.add("start");
          running = true;
        }).build();
        case STOP -> BackendPlan.builder().step("stop", "stop", () -> {
          calls.add("stop");
          running = false;
        }).build();
        case DESTROY, PURGE -> BackendPlan.builder().step("destroy", "destroy", () -> {
          calls.add("destroy " + (r.operation() == Operation.PURGE ? Purge.EVERYTHING : Purge.KEEP_HOME));
          exists = false;
        }).build();
        case UP -> throw new IllegalArgumentException("never asked");
        // the engine refuses home operations this backend does not declare (homeSupport) before planning
        case HOME_BACKUP, HOME_RESTORE, HOME_DELETE, HOME_EXPORT, HOME_IMPORT -> throw new IllegalArgumentException("no home operations here");
      };
    }

    private void recreate(MachineManifest m) {
      recreateEntered.countDown();
      if (blockRecreate != null) {
        try {
          blockRecreate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      calls.add("recreate");
      lastManifest = m;
      exists = true;
      running = true;
    }

    @Override
    public Optional<InstanceStatus> inspect(MachineManifest m) {
      return exists ? Optional.of(new InstanceStatus(m.vmName(), name(),
          running ? InstanceStatus.State.RUNNING : InstanceStatus.State.STOPPED, List.of(), Optional.empty(), Map.of()))
          : Optional.empty();
    }

    @Override
    public Endpoint endpoint(MachineManifest m) {
      return new Endpoint("127.0.0.1", 3389);
    }

    @Override
    public BackendContext context() {
      return context;
    }
  }

  record Provider(Recording backend) implements BackendProvider {
    @Override
    public String name() {
      return "recording";
    }

    @Override
    public int priority() {
      return -1;
    }

    @Override
    public Availability probe(HostInfo host) {
      return backend.available ? Availability.available("in memory") : Availability.unavailable("switched off", "switch it on");
    }

    @Override
    public Backend open(BackendContext context) {
      backend.context = context;
      return backend;
    }
  }
}
