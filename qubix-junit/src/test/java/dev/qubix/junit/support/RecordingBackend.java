package dev.qubix.junit.support;

import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory hypervisor that records what the fixtures ask of it. The fixtures' lifecycle (when
 * a VM is made, shared, destroyed, with or without its home) is what these tests check; booting a
 * real guest for each case would cost seconds and prove nothing more — the Tiny* tests do that.
 */
public final class RecordingBackend implements Backend {
  public static final String NAME = "recording";
  /** Relative to the module directory, so annotation attributes (constants) can name them. */
  public static final String MANIFEST = "target/recording/box.json";
  public static final String STATE = "target/recording/state";

  /** Every call, in order, e.g. "recreate qubix-box", "destroy qubix-box KEEP_HOME". */
  public static final List<String> CALLS = new CopyOnWriteArrayList<>();
  private static final Map<String, InstanceStatus.State> VMS = new ConcurrentHashMap<>();
  private static volatile Endpoint endpoint = new Endpoint("127.0.0.1", 3389);

  private final BackendContext context;

  private RecordingBackend(BackendContext context) {
    this.context = context;
  }

  /**
   * Writes the manifest and forgets earlier calls. The backend itself is found by name through
   * ServiceLoader (this module's test resources), like any backend on the class path.
   */
  public static void install() {
    try {
      Files.createDirectories(Path.of(MANIFEST).getParent());
      Files.writeString(Path.of(MANIFEST), """
          {"schemaVersion": 3, "machines": {"box": {
            "hostName": "box", "vmName": "qubix-box", "cpuCount": 1,
            "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456,
            "network": {"mode": "dhcp"}, "rdp": {"user": "rdp"}, "images": {}}}}
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CALLS.clear();
    VMS.clear();
    endpoint = new Endpoint("127.0.0.1", 3389);
  }

  /** Forgets the recorded VMs, so a later test class finds none of them. */
  public static void uninstall() {
    VMS.clear();
  }

  public static void endpoint(Endpoint e) {
    endpoint = e;
  }

  public static boolean exists(String vmName) {
    return VMS.containsKey(vmName);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ImageNeeds images() {
    return ImageNeeds.none();
  }

  @Override
  public BackendPlan plan(PlanRequest r) {
    MachineManifest m = r.manifest();
    BackendPlan.Builder b = BackendPlan.builder();
    return switch (r.operation()) {
      case RECREATE -> b.step("recreate", "recreate", () -> {
        CALLS.add("recreate " + m.vmName());
        VMS.put(m.vmName(), InstanceStatus.State.RUNNING);
      }).build();
      case START -> b.step("start", "start", () -> {
        CALLS.add("start " + m.vmName());
        VMS.put(m.vmName(), InstanceStatus.State.RUNNING);
      }).build();
      case STOP -> b.step("stop", "stop", () -> {
        CALLS.add("stop " + m.vmName());
        VMS.put(m.vmName(), InstanceStatus.State.STOPPED);
      }).build();
      case DESTROY, PURGE -> b.step("destroy", "destroy", () -> {
        CALLS.add("destroy " + m.vmName() + " " + (r.operation() == Operation.PURGE ? Purge.EVERYTHING : Purge.KEEP_HOME));
        VMS.remove(m.vmName());
      }).build();
      case UP -> throw new IllegalArgumentException("decided by the engine");
    };
  }

  @Override
  public Optional<InstanceStatus> inspect(MachineManifest m) {
    return Optional.ofNullable(VMS.get(m.vmName()))
        .map(s -> new InstanceStatus(m.vmName(), NAME, s, List.of(), Optional.empty(), Map.of()));
  }

  @Override
  public Endpoint endpoint(MachineManifest m) {
    return endpoint;
  }

  @Override
  public BackendContext context() {
    return context;
  }

  /** Found through META-INF/services in this module's test resources. */
  public static final class Provider implements BackendProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public int priority() {
      return -100;
    }

    @Override
    public Availability probe(HostInfo host) {
      return Availability.available("in memory");
    }

    @Override
    public Backend open(BackendContext context) {
      return new RecordingBackend(context);
    }
  }
}
