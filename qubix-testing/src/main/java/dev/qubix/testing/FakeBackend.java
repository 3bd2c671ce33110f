package dev.qubix.testing;

import dev.qubix.Availability;
import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * An in-memory hypervisor for tests of code that drives Qubix (fixtures, tools, the engine itself):
 * VMs are entries in this object, every change is recorded ({@code "recreate qubix-box"},
 * {@code "destroy qubix-box KEEP_HOME"}), and the home disk is a real file,
 * {@code <stateDir>/<vmName>/home}, so that what a test checks about homes is what a real backend
 * does. It honours {@link BackendContractTest}. Hand it to an appliance with
 * {@code withBackend(fake.provider())}.
 */
public final class FakeBackend {
  private final String name;
  private final int priority;
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, InstanceStatus.State> vms = new ConcurrentHashMap<>();
  private volatile Endpoint endpoint = new Endpoint("127.0.0.1", 3389);
  private volatile boolean available = true;

  public FakeBackend(String name, int priority) {
    this.name = name;
    this.priority = priority;
  }

  /** Every change asked of it, in order. */
  public List<String> calls() {
    return calls;
  }

  public boolean exists(String vmName) {
    return vms.containsKey(vmName);
  }

  /** Where every VM's RDP is said to answer (a test's own X.224 listener, for connect). */
  public void endpoint(Endpoint e) {
    endpoint = e;
  }

  /** Switched off, its probe says unavailable and every change is refused by the engine. */
  public void available(boolean on) {
    available = on;
  }

  /** Forgets every VM and call (the home files stay where they are, like disks left by a crash). */
  public void reset() {
    calls.clear();
    vms.clear();
  }

  public BackendProvider provider() {
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int priority() {
        return priority;
      }

      @Override
      public Availability probe(HostInfo host) {
        return available ? Availability.available("in memory") : Availability.unavailable("switched off", "switch it on");
      }

      @Override
      public Backend open(BackendContext context) {
        return new Opened(context);
      }
    };
  }

  private final class Opened implements Backend {
    private final BackendContext context;

    Opened(BackendContext context) {
      this.context = context;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public BackendContext context() {
      return context;
    }

    @Override
    public ImageNeeds images() {
      return ImageNeeds.none();
    }

    @Override
    public BackendPlan plan(PlanRequest r) {
      String vm = r.manifest().vmName();
      BackendPlan.Builder b = BackendPlan.builder();
      return switch (r.operation()) {
        case RECREATE -> b.step("home", "keep or create the home " + home(vm), () -> home(r.manifest()))
            .step("recreate", "recreate " + vm, () -> change("recreate " + vm, vm, InstanceStatus.State.RUNNING)).build();
        case START -> b.step("start", "start " + vm, () -> {
          if (!exists(vm)) {
            throw new QubixException(vm + " does not exist: create it with recreate or up");
          }
          change("start " + vm, vm, InstanceStatus.State.RUNNING);
        }).build();
        case STOP -> b.step("stop", "stop " + vm, () -> change("stop " + vm, vm, InstanceStatus.State.STOPPED)).build();
        case DESTROY, PURGE -> {
          boolean purge = r.operation() == Operation.PURGE;
          yield b.step("destroy", "remove " + vm + (purge ? " and its home " : ", keep its home ") + home(vm), () -> {
            calls.add("destroy " + vm + " " + (purge ? "EVERYTHING" : "KEEP_HOME"));
            vms.remove(vm);
            if (purge) {
              deleteTree(context.vmDir(vm));
            }
          }).build();
        }
        case UP -> throw new IllegalArgumentException("UP is decided by the engine");
        // the engine refuses home operations this backend does not declare (homeSupport) before planning
        case HOME_BACKUP, HOME_RESTORE, HOME_DELETE, HOME_EXPORT, HOME_IMPORT -> throw new IllegalArgumentException("no home operations here");
      };
    }

    private void change(String call, String vm, InstanceStatus.State state) {
      calls.add(call);
      if (state == InstanceStatus.State.STOPPED && !vms.containsKey(vm)) {
        return;
      }
      vms.put(vm, state);
    }

    private Path home(String vm) {
      return context.vmDir(vm).resolve("home");
    }

    private void home(MachineManifest m) {
      Path home = context.privateVmDir(m.vmName()).resolve("home");
      try {
        if (!Files.exists(home)) {
          Files.writeString(home, "the home of " + m.vmName() + "\n");
        }
      } catch (IOException e) {
        throw new QubixException("cannot create " + home + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Optional<InstanceStatus> inspect(MachineManifest m) {
      return Optional.ofNullable(vms.get(m.vmName()))
          .map(s -> new InstanceStatus(m.vmName(), name, s, List.of(), Optional.empty(), Map.of()));
    }

    @Override
    public Endpoint endpoint(MachineManifest m) {
      return endpoint;
    }

    @Override
    public List<InstanceStatus> list() {
      return vms.entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> new InstanceStatus(e.getKey(), name, e.getValue(), List.of(), Optional.empty(), Map.of())).toList();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new QubixException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
