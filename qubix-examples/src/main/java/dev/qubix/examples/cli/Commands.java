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
import dev.qubix.Availability;
import dev.qubix.BuiltAppliance;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
      top.endTransientLine();
      top.out.println(text);
    }

    void printJson(Object node) {
      top.endTransientLine();
      try {
        top.out.println(JSON.writeValueAsString(node));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Object parseJson(String text) {
      try {
        return JSON.readTree(text);
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
            + st.uptime().map(u -> ", up " + u.toSeconds() + " s").orElse("")
            + (st.details().containsKey(dev.qubix.HomeMode.DETAIL) ? ", home " + st.details().get(dev.qubix.HomeMode.DETAIL) : ""));
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
        b.images().forEach((k, i) -> images.put(k, i.file().toString()));
        printJson(o);
      } else {
        b.images().forEach((k, i) -> print(k + ": " + i.file()));
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "up", description = "Create the VM if missing, start it if stopped; never rebuilds a live VM.")
  static final class Up extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = "--disposable", description = "Run on a throwaway overlay over the home disk (never written; "
        + "discarded at stop). A stopped VM in the other mode is recreated.") boolean disposable;

    @Override
    public Integer call() {
      Instance i = homeMode(appliance(machine), disposable).up();
      printStatus(machine, i.status());
      return QubixCtl.OK;
    }
  }

  @Command(name = "recreate", description = "Build, then replace the VM's system disk; the home disk is kept.")
  static final class Recreate extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = "--disposable", description = "Run on a throwaway overlay over the home disk (never written; "
        + "discarded at stop).") boolean disposable;
    @Option(names = "--backup-home", description = "Back the home disk up first (before-recreate-<time>), "
        + "keeping the newest --keep of those.") boolean backupHome;
    @Option(names = "--keep", paramLabel = "N", defaultValue = "1", description = "With --backup-home: how many "
        + "before-recreate backups to keep (default ${DEFAULT-VALUE}).") int keep;
    @Option(names = "--no-auto-backup", description = "No backup of the home disk even when the image version changes "
        + "(by default a recreate onto a new image backs the home up, keeping one).") boolean noAutoBackup;

    @Override
    public Integer call() {
      if (backupHome && noAutoBackup) {
        throw new ConfigurationException("--backup-home and --no-auto-backup contradict each other: choose one");
      }
      if (keep < 1) {
        throw new ConfigurationException("--keep must be 1 or more, got " + keep);
      }
      Appliance a = homeMode(appliance(machine), disposable);
      if (backupHome) {
        a = a.withHomeBackups(keep);
      } else if (noAutoBackup) {
        a = a.withoutAutomaticHomeBackups();
      }
      Instance i = a.build().recreate();
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
    @Parameters(arity = "0..3", paramLabel = "[OPERATION] [NAME|FILE] [MACHINE]",
        description = {"recreate (default), up, start, stop, destroy, purge; then the machine.",
            "home-backup [MACHINE], home-restore NAME [MACHINE], home-delete NAME [MACHINE], home-export FILE [MACHINE], "
                + "home-import FILE [MACHINE]."})
    List<String> args = List.of();
    @Option(names = "--disposable", description = "Plan up or recreate with a disposable home.") boolean disposable;

    @Override
    public Integer call() {
      Operation op = Operation.RECREATE;
      String machine = DEFAULT_MACHINE;
      String argument = null;
      List<String> rest = args;
      if (!rest.isEmpty() && operation(rest.get(0)).isPresent()) {
        op = operation(rest.get(0)).get();
        rest = rest.subList(1, rest.size());
      }
      boolean needsArgument = op == Operation.HOME_RESTORE || op == Operation.HOME_DELETE || op == Operation.HOME_EXPORT
          || op == Operation.HOME_IMPORT;
      if (needsArgument) {
        if (rest.isEmpty()) {
          throw new ConfigurationException("plan " + op.cliName() + " needs " + (op == Operation.HOME_EXPORT
              || op == Operation.HOME_IMPORT ? "a FILE" : "a backup NAME") + ": qubixctl plan " + op.cliName() + " "
              + (op == Operation.HOME_EXPORT || op == Operation.HOME_IMPORT ? "FILE" : "NAME") + " MACHINE");
        }
        argument = rest.get(0);
        rest = rest.subList(1, rest.size());
      }
      if (rest.size() > 1) {
        throw new ConfigurationException("'" + rest.get(0) + "' is not an operation: use recreate, up, start, stop, destroy, "
            + "purge or home-backup, home-restore, home-delete, home-export, home-import");
      }
      if (!rest.isEmpty()) {
        machine = rest.get(0);
      }
      Appliance a = homeMode(appliance(machine), disposable);
      Plan p = op.isHome() ? a.home().plan(op, argument) : a.plan(op);
      if (top.json) {
        ObjectNode o = JSON.createObjectNode();
        o.put("operation", p.operation().cliName());
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
      return Operation.fromCliName(s);
    }
  }

  @Command(name = "manifest", description = "Print the machine's validated manifest (normalized schemaVersion 3).")
  static final class ManifestCmd extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;

    @Override
    public Integer call() {
      MachineManifest m = appliance(machine).manifest();
      if (top.json) {
        printJson(parseJson(ManifestWriter.toJson(m)));
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
      List<String> report = appliance(machine).gc();
      if (top.json) {
        printJson(JSON.valueToTree(report));
      } else {
        // backends report what they keep, and why, as "kept …" lines beside what they removed
        List<String> kept = report.stream().filter(l -> l.startsWith("kept ")).toList();
        List<String> removed = report.stream().filter(l -> !l.startsWith("kept ")).toList();
        print(removed.isEmpty() ? "nothing to remove" : "removed:\n  " + String.join("\n  ", removed));
        if (!kept.isEmpty()) {
          print(String.join("\n", kept));
        }
      }
      return QubixCtl.OK;
    }
  }

  @Command(name = "ls", description = "List every VM in the state directory: machine, backend, state, address, home disk, mode, image.")
  static final class Ls extends Base {
    @Override
    public Integer call() {
      List<String> backends = top.backend != null ? List.of(top.backend)
          : Qubix.backends().stream().filter(b -> b.availability().isAvailable()).map(BackendInfo::name).toList();
      List<InstanceStatus> all = new java.util.ArrayList<>();
      java.nio.file.Path stateDir = null;
      for (String name : backends) {
        Appliance a = appliance(DEFAULT_MACHINE).withBackend(name);
        stateDir = a.stateDir();
        try {
          all.addAll(a.vms());
        } catch (QubixException e) {
          if (top.backend != null) {
            throw e;
          }
          top.endTransientLine();
          top.err.println("qubixctl: warning: " + e.getMessage());
        }
      }
      if (top.json) {
        ArrayNode arr = JSON.createArrayNode();
        for (InstanceStatus st : all) {
          ObjectNode o = arr.addObject();
          o.put("machine", st.details().get("machine"));
          o.put("vmName", st.vmName());
          o.put("backend", st.backend());
          o.put("state", st.state().name().toLowerCase(Locale.ROOT));
          ArrayNode ad = o.putArray("addresses");
          st.addresses().forEach(ad::add);
          o.put("rdp", st.details().get("rdp"));
          o.put("home", homePath(st.details()));
          o.put("homeMode", st.details().get(dev.qubix.HomeMode.DETAIL));
          o.put("mode", st.details().get("mode"));
          o.put("imageVersion", st.details().get("imageVersion"));
          if (st.uptime().isPresent()) {
            o.put("uptimeSeconds", st.uptime().get().toSeconds());
          } else {
            o.putNull("uptimeSeconds");
          }
        }
        printJson(arr);
      } else if (all.isEmpty()) {
        print("no VMs" + (stateDir == null ? "" : " in " + stateDir));
      } else {
        String row = "%-12s %-20s %-8s %-8s %-21s %-5s %-6s %s";
        print(String.format(row, "MACHINE", "VM", "BACKEND", "STATE", "ADDRESS", "HOME", "MODE", "IMAGE").stripTrailing());
        for (InstanceStatus st : all) {
          Map<String, String> d = st.details();
          String address = d.containsKey("rdp") ? d.get("rdp") : st.addresses().isEmpty() ? "-" : String.join(",", st.addresses());
          print(String.format(row, d.getOrDefault("machine", "?"), st.vmName(), st.backend(),
              st.state().name().toLowerCase(Locale.ROOT), address, homePath(d) != null ? "yes" : "no",
              d.getOrDefault("mode", "?"), shortImage(d.getOrDefault("imageVersion", "?"))).stripTrailing());
        }
      }
      return QubixCtl.OK;
    }

    /** {@code /nix/store/<32-char hash>-name} as {@code <8 chars>…-name}: enough to tell two versions apart. */
    static String shortImage(String path) {
      String base = java.nio.file.Path.of(path).getFileName() == null ? path : java.nio.file.Path.of(path).getFileName().toString();
      return base.matches("[0-9a-z]{32}-.+") ? base.substring(0, 8) + "…" + base.substring(32) : base;
    }
  }

  @Command(name = "logs", description = {"Print the guest's console (microvm: its serial log).",
      "With -f, keep printing what the guest writes until the VM stops (or Ctrl-C)."})
  static final class Logs extends Base {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MACHINE", defaultValue = DEFAULT_MACHINE) String machine;
    @Option(names = {"-f", "--follow"}, description = "Follow the console as the guest writes it.") boolean follow;
    @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "Only the last N lines.") Integer lines;

    @Override
    public Integer call() throws Exception {
      if (lines != null && lines < 0) {
        throw new ConfigurationException("--lines must be 0 or more, got " + lines);
      }
      InstanceStatus st = appliance(machine).status().orElseThrow(() -> new QubixException(machine
          + ": no VM exists yet; run 'qubixctl up " + machine + "' first"));
      String log = st.details().get("serialLog");
      if (log == null) {
        throw new QubixException(machine + ": " + noConsole(st));
      }
      java.nio.file.Path file = java.nio.file.Path.of(log);
      top.endTransientLine();
      long offset = printTail(file, lines);
      if (follow) {
        Optional<ProcessHandle> vm = Optional.ofNullable(st.details().get("pid")).map(Long::parseLong).flatMap(ProcessHandle::of);
        while (vm.map(ProcessHandle::isAlive).orElse(false)) {
          Thread.sleep(200);
          offset = printFrom(file, offset);
        }
        printFrom(file, offset);
      }
      return QubixCtl.OK;
    }

    /** What exists instead of a console log, per backend. */
    static String noConsole(InstanceStatus st) {
      if (st.backend().equals("hyperv")) {
        return "Hyper-V keeps no console log: Qubix's VMs have no COM port. Add a pipe with "
            + "'Set-VMComPort -VMName " + st.vmName() + " -Number 1 -Path \\\\.\\pipe\\" + st.vmName() + "-com1' "
            + "and read it with a named-pipe client (e.g. PuTTY's serial line \\\\.\\pipe\\" + st.vmName() + "-com1); "
            + "the desktop is 'qubixctl connect'";
      }
      return "the " + st.backend() + " backend keeps no console log for " + st.vmName();
    }

    private long printTail(java.nio.file.Path file, Integer n) throws java.io.IOException {
      if (!java.nio.file.Files.exists(file)) {
        return 0;
      }
      byte[] all = java.nio.file.Files.readAllBytes(file);
      int from = 0;
      if (n != null) {
        int seen = 0;
        int end = all.length > 0 && all[all.length - 1] == '\n' ? all.length - 1 : all.length;
        from = end;
        while (from > 0 && seen < n) {
          if (all[from - 1] == '\n') {
            seen++;
            if (seen == n) {
              break;
            }
          }
          from--;
        }
        if (n == 0) {
          from = all.length;
        }
      }
      top.out.write(all, from, all.length - from);
      top.out.flush();
      return all.length;
    }

    /** New bytes since {@code offset}; a log that got shorter was rotated (a new boot): start over. */
    private long printFrom(java.nio.file.Path file, long offset) throws java.io.IOException {
      if (!java.nio.file.Files.exists(file)) {
        return 0;
      }
      long size = java.nio.file.Files.size(file);
      if (size < offset) {
        offset = 0;
      }
      if (size == offset) {
        return offset;
      }
      try (var ch = java.nio.channels.FileChannel.open(file)) {
        ch.position(offset);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
        int read = ch.read(buf);
        if (read > 0) {
          top.out.write(buf.array(), 0, read);
          top.out.flush();
          return offset + read;
        }
      }
      return offset;
    }
  }

  @Command(name = "completion", description = {"Print a shell completion script for qubixctl.",
      "bash: source <(qubixctl completion bash)   (or save it in ~/.local/share/bash-completion/completions/qubixctl)",
      "zsh:  source <(qubixctl completion zsh)    (in ~/.zshrc; uses zsh's bashcompinit)"})
  static final class Completion extends Base {
    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.") String shell;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!shell.equals("bash") && !shell.equals("zsh")) {
        throw new ConfigurationException("completion: unknown shell '" + shell + "': use bash or zsh");
      }
      // picocli's script is bash; under zsh it loads bashcompinit itself
      top.out.print(picocli.AutoComplete.bash("qubixctl", spec.root().commandLine()));
      top.out.flush();
      return QubixCtl.OK;
    }
  }

  /** Where the VM's home lives: a disk (microvm: {@code homeDisk}) or a folder (nspawn: {@code homeFolder}); null: none yet. */
  static String homePath(Map<String, String> details) {
    return details.getOrDefault("homeDisk", details.get("homeFolder"));
  }

  static Appliance homeMode(Appliance a, boolean disposable) {
    return disposable ? a.withDisposableHome() : a;
  }

  static Instance existing(Appliance a, String machine) {
    return a.instance().orElseThrow(() -> new QubixException(machine + ": no VM exists yet; run 'qubixctl up "
        + machine + "' first"));
  }
}
