package dev.qubix.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.Appliance;
import dev.qubix.BackendInfo;
import dev.qubix.ConfigurationException;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.Qubix;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestWriter;
import dev.qubix.spi.Availability;
import dev.qubix.BuiltAppliance;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The qubixctl subcommands: each one call of the public API, printed for people or as JSON. */
final class Commands {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String DEFAULT_MACHINE = "spotibox";

  private Commands() {}

  /** Common to every subcommand: the machine argument and output helpers. */
  abstract static class Base implements Callable<Integer> {
    @ParentCommand QubixCtl top;

    Appliance appliance(String machine) {
      return top.appliance(machine == null ? DEFAULT_MACHINE : machine);
    }

    void print(String text) {
      top.out.println(text);
    }

    void printJson(Object node) {
      try {
        top.out.println(JSON.writeValueAsString(node));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    void printStatus(String machine, Optional<InstanceStatus> s) {
      if (top.json) {
        printJson(statusJson(machine, s));
      } else if (s.isEmpty()) {
        print(machine + ": not created (run 'qubixctl up " + machine + "')");
      } else {
        InstanceStatus st = s.get();
        print(st.vmName() + ": " + st.state().name().toLowerCase(Locale.ROOT) + " on " + st.backend()
            + (st.addresses().isEmpty() ? "" : ", " + String.join(", ", st.addresses()))
            + st.uptime().map(u -> ", up " + u.toSeconds() + " s").orElse(""));
      }
    }
  }

  static ObjectNode statusJson(String machine, Optional<InstanceStatus> s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("machine", machine);
    if (s.isEmpty()) {
      o.put("state", "absent");
      return o;
    }
    InstanceStatus st = s.get();
    o.put("vmName", st.vmName());
    o.put("backend", st.backend());
    o.put("state", st.state().name().toLowerCase(Locale.ROOT));
    ArrayNode a = o.putArray("addresses");
    st.addresses().forEach(a::add);
    if (st.uptime().isPresent()) {
      o.put("uptimeSeconds", st.uptime().get().toSeconds());
    } else {
      o.putNull("uptimeSeconds");
    }
    ObjectNode d = o.putObject("details");
    st.details().forEach(d::put);
    return o;
  }

  @Command(name = "build", description = "Build the machine's images with Nix (one nix process on a warm cache).")
  static final class Build extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      BuiltAppliance b = appliance(machine).build();
      if (top.json) {
        ObjectNode o = JSON.createObjectNode();
        o.put("machine", machine);
        ObjectNode images = o.putObject("images");
        b.images().images().forEach((k, i) -> images.put(k, i.file().toString()));
        printJson(o);
      } else {
        b.images().images().forEach((k, i) -> print(k + ": " + i.file()));
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "up", description = "Create the VM if missing, start it if stopped; never rebuilds a live VM.")
  static final class Up extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      Instance i = appliance(machine).up();
      printStatus(machine, i.status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "recreate", description = "Build, then replace the VM's system disk; the home disk is kept.")
  static final class Recreate extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      Instance i = appliance(machine).build().recreate();
      printStatus(machine, i.status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "start", description = "Start the existing VM.")
  static final class Start extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      Instance i = existing(appliance(machine), machine).start();
      printStatus(machine, i.status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "stop", description = "Shut the VM down gracefully (forced after the grace period).")
  static final class Stop extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "60", description = "Wait this long before forcing it off (default ${DEFAULT-VALUE}).")
    int grace;

    @Override
    public Integer call() {
      if (grace < 0) {
        throw new ConfigurationException("--grace must be 0 or more seconds, got " + grace);
      }
      Instance i = existing(appliance(machine), machine).stop(Duration.ofSeconds(grace));
      printStatus(machine, i.status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "status", description = "Show the VM's state (no Nix while the manifest cache is valid).")
  static final class Status extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      printStatus(machine, appliance(machine).status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "destroy", description = "Remove the VM; the home disk stays unless --purge.")
  static final class Destroy extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = "--purge", description = "Also delete the home disk (the user's data).") boolean purge;

    @Override
    public Integer call() {
      Appliance a = appliance(machine);
      boolean existed = a.status().isPresent();
      a.destroy(purge ? Purge.EVERYTHING : Purge.KEEP_HOME);   // also without a VM: a purge still deletes a kept home disk
      if (top.json) {
        ObjectNode o = JSON.createObjectNode();
        o.put("machine", machine);
        o.put("destroyed", existed);
        o.put("homeKept", !purge);
        printJson(o);
      } else if (!existed) {
        print(machine + ": nothing to destroy (no VM)" + (purge ? "; home disk deleted if one was kept" : ""));
      } else {
        print(machine + ": destroyed" + (purge ? ", home disk deleted" : ", home disk kept"));
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "connect", description = "Wait until RDP answers, then open the RDP client (none when headless).")
  static final class Connect extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = "--address", paramLabel = "ADDR", description = "host or host:port instead of the backend's address.") String address;
    @Option(names = "--no-client", description = "Only wait until RDP answers; print the endpoint.") boolean noClient;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180", description = "How long to wait for RDP (default ${DEFAULT-VALUE}).") int timeout;

    @Override
    public Integer call() {
      if (timeout <= 0) {
        throw new ConfigurationException("--timeout must be a positive number of seconds, got " + timeout);
      }
      ConnectOptions options = ConnectOptions.defaults().withTimeout(Duration.ofSeconds(timeout)).withAddress(address);
      if (noClient) {
        options = options.withoutClient();
      }
      Connection c = existing(appliance(machine), machine).connect(options);
      if (top.json) {
        ObjectNode o = JSON.createObjectNode();
        o.put("machine", machine);
        o.put("host", c.endpoint().host());
        o.put("port", c.endpoint().port());
        o.put("client", c.client().map(p -> p.info().command().orElse("started")).orElse(null));
        printJson(o);
      } else {
        print(machine + ": RDP ready at " + c.endpoint()
            + c.client().map(p -> ", client started (pid " + p.pid() + ")").orElse(" (no client started)"));
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "plan", description = "Show what an operation would do, without doing it (works for any backend).")
  static final class PlanCmd extends Base {
    @Parameters(arity = "0..2", paramLabel = "[OPERATION] [MACHINE]",
        description = "recreate (default), up, start, stop, destroy, purge; then the machine.")
    List<String> args = List.of();

    @Override
    public Integer call() {
      Operation op = Operation.RECREATE;
      String machine = DEFAULT_MACHINE;
      List<String> rest = args;
      if (!rest.isEmpty() && operation(rest.get(0)).isPresent()) {
        op = operation(rest.get(0)).get();
        rest = rest.subList(1, rest.size());
      }
      if (rest.size() > 1) {
        throw new ConfigurationException("'" + rest.get(0) + "' is not an operation: use recreate, up, start, stop, destroy or purge");
      }
      if (!rest.isEmpty()) {
        machine = rest.get(0);
      }
      Plan p = appliance(machine).plan(op);
      if (top.json) {
        ObjectNode o = JSON.createObjectNode();
        o.put("operation", p.operation().name().toLowerCase(Locale.ROOT));
        o.put("backend", p.backend());
        o.put("machine", p.machine());
        ArrayNode steps = o.putArray("steps");
        for (Step s : p.steps()) {
          ObjectNode so = steps.addObject();
          so.put("id", s.id());
          so.put("description", s.description());
          so.set("details", JSON.valueToTree(s.details()));
        }
        printJson(o);
      } else {
        print(p.toString());
      }
      return QubixCtl.OK;
    }

    private static Optional<Operation> operation(String s) {
      for (Operation o : Operation.values()) {
        if (o.name().equalsIgnoreCase(s)) {
          return Optional.of(o);
        }
      }
      return Optional.empty();
    }
  }

  @Command(name = "manifest", description = "Print the machine's validated manifest (normalized schemaVersion 3).")
  static final class ManifestCmd extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      MachineManifest m = appliance(machine).manifest();
      if (top.json) {
        printJson(ManifestWriter.toJson(m));
      } else {
        print(m.name() + " (" + m.mode().name().toLowerCase(Locale.ROOT) + "): VM " + m.vmName() + ", host " + m.hostName());
        print("  cpu " + m.cpuCount() + ", memory " + m.memoryStartup() + " (max " + m.maxMemory() + ")");
        print("  network " + (m.network().isStatic()
            ? "static " + m.network().staticIp() + "/" + m.network().prefixLength() + " via " + m.network().gateway()
            : "dhcp"));
        print("  egress " + m.network().egress().mode().name().toLowerCase(Locale.ROOT)
            + (m.network().egress().domains().isEmpty() ? "" : " " + String.join(", ", m.network().egress().domains())));
        print("  home disk " + (m.homeDisk().enable() ? m.homeDisk().label() + ", " + m.homeDisk().sizeMiB() + " MiB" : "off"));
        print("  rdp " + m.rdp().user() + "@:" + m.rdp().port() + " " + m.rdp().width() + "x" + m.rdp().height()
            + m.mdns().map(n -> ", mDNS " + n).orElse(""));
        m.images().values().forEach(i -> print("  image " + i.key() + ": " + i.packageName() + " (" + i.format().jsonName() + ")"));
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "backends", description = "List the backends and whether they can run here.")
  static final class Backends extends Base {
    @Override
    public Integer call() {
      List<BackendInfo> all = Qubix.backends();
      if (top.json) {
        ArrayNode a = JSON.createArrayNode();
        for (BackendInfo b : all) {
          ObjectNode o = a.addObject();
          o.put("name", b.name());
          o.put("priority", b.priority());
          o.put("available", b.availability().isAvailable());
          if (b.availability() instanceof Availability.Unavailable u) {
            o.put("reason", u.reason());
            o.put("fix", u.fix());
          } else if (b.availability() instanceof Availability.Available av) {
            o.put("detail", av.detail());
          }
        }
        printJson(a);
      } else {
        for (BackendInfo b : all) {
          print(String.format("%-8s priority %3d  %s", b.name(), b.priority(),
              b.availability().isAvailable() ? "available: " + ((Availability.Available) b.availability()).detail()
                  : "unavailable: " + b.availability()));
        }
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "gc", description = "Delete cached base images that no VM uses.")
  static final class Gc extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      List<String> removed = appliance(machine).gc();
      if (top.json) {
        printJson(JSON.valueToTree(removed));
      } else {
        print(removed.isEmpty() ? "nothing to remove" : "removed:\n  " + String.join("\n  ", removed));
      }
      return QubixCtl.OK;
    }
  }

  static Instance existing(Appliance a, String machine) {
    return a.instance().orElseThrow(() -> new QubixException(machine + ": no VM exists yet; run 'qubixctl up "
        + machine + "' first"));
  }
}
