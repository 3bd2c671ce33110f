package dev.qubix.hyperv;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.WslPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Stands in for {@code powershell.exe} on one Hyper-V host, so that whole operations run through the
 * real {@code HyperVBackend}, its {@code PowerShell} runner and core's engine. It plays Qubix's five
 * scripts: it decodes their base64 JSON {@code -Params} as {@code ConvertFrom-QubixParams} does, keeps
 * the host's VMs in memory, keeps disks as real files under a folder that stands for the Windows
 * drives ({@code C:\x} is {@code <drives>/c/x}, as WSL mounts it; {@code \\wsl.localhost\<distro>\x}
 * is this machine's {@code /x}), and answers with the scripts' {@code ::qubix-…::} lines.
 *
 * <p>What it models, as the scripts do it: recreate performs exactly the {@code steps} it is given,
 * in order, each framed by start and done/skip lines and each checking before it acts (a cached base
 * image, a kept home disk, a VM already running); power, destroy (with purge: the whole VM folder),
 * state and gc; the refusals the Java side relies on, before any change (a step or parameter the
 * script does not know, a VM Qubix did not make, a purge of a folder without Qubix's mark or with a
 * link in it, a missing switch or built image, no VM to start or stop, more CPUs than the host has);
 * a script missing from the scripts folder. A listener that throws on a step's start line stops the
 * script right there, before that step acts, as a killed process would.
 *
 * <p>What it does not model: static networks (switches of Qubix's own, host addresses, NetNats: such
 * a recreate is refused with an error line), guest addresses over KVP, states other than Off and
 * Running, a guest that ignores a shutdown, rights and elevation (the user may manage Hyper-V), the
 * images lock, a process that dies inside a step (each step is atomic), and disk formats: a "VHDX" is
 * a small file, a differencing disk one that names its parent.
 */
final class FakeHyperVHost implements CommandRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFAULT_SWITCH = "Default Switch";
  private static final String VM_MARK = "[qubix-managed]";
  private static final String FOLDER_MARK = ".qubix-vm";
  private static final String DIFFERENCING = "fake differencing VHDX over ";
  private static final String DISPOSABLE_MARK = ".qubix-home-disposable";
  private static final int LOGICAL_PROCESSORS = 8;
  private static final Set<String> RECREATE_STEPS = Set.of("switch-default", "switch-create", "host-ip", "netnat",
      "private-folders", "base-image", "remove-old-vm", "backup-home", "system-disk", "home-disk-seed", "home-disk-create", "home-disposable", "create-vm",
      "rdp-secret", "start", "wait-running");
  /** What Read-QubixSecret accepts on stdin. */
  private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{22,128}");

  /** One VM as Hyper-V lists it: {@code path} is its folder, {@code notes} carry Qubix's mark. */
  private static final class Vm {
    final String name;
    final String path;
    final String notes;
    final List<String> disks;
    String state = "Off";
    Instant since;
    /** The host-to-guest KVP item the guest reads its RDP password from. */
    String kvpSecret;

    Vm(String name, String path, String notes, List<String> disks) {
      this.name = name;
      this.path = path;
      this.notes = notes;
      this.disks = List.copyOf(disks);
    }
  }

  /** What a script refuses or fails with: its one error line. */
  static final class ScriptError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String category;
    final String fix;

    ScriptError(String message, String category, String fix) {
      super(message, null, false, false);
      this.category = category;
      this.fix = fix;
    }
  }

  private final Path drives;
  private final List<Vm> vms = new ArrayList<>();

  /** A host whose drives are under {@code drives} (what WSL's automount root is to a WSL user). */
  FakeHyperVHost(Path drives) {
    this.drives = drives;
  }

  /**
   * What a WSL user's backend gets: this host behind powershell.exe, its drives under WSL's mount
   * root, %LOCALAPPDATA% set (so the scripts are installed on the Windows side, not in {@code stateDir}).
   */
  BackendContext wslContext(Path stateDir, ProgressListener listener, Duration timeout) {
    HostInfo wsl = new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("WSL_DISTRO_NAME", WslPaths.DEFAULT_DISTRO,
        "LOCALAPPDATA", Fixtures.LOCAL_APP_DATA, "QUBIX_WSL_MOUNT_ROOT", drives.toString()));
    return BackendContext.of(stateDir, this, listener, wsl, timeout);
  }

  /** Where a Windows path of this host is on this machine. */
  Path local(String windowsPath) {
    WslPaths.Location l = WslPaths.toLinux(windowsPath, WslPaths.DEFAULT_DISTRO);
    return WslPaths.distroOf(windowsPath).isEmpty() ? drives.resolve(l.linuxPath().substring("/mnt/".length()))
        : Path.of(l.linuxPath());
  }

  private final List<List<String>> argvs = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Every command line the host was given, for tests that look for what must never be there. */
  List<List<String>> argvs() {
    return argvs;
  }

  @Override
  public synchronized CommandResult run(Command command) {
    List<String> argv = command.argv();
    argvs.add(argv);
    String script = argv.get(argv.indexOf("-File") + 1);
    if (!Files.isRegularFile(local(script))) {
      String stderr = "The argument '" + script + "' to the -File parameter does not exist.";
      return new CommandResult(argv, 1, "", stderr, Duration.ZERO);
    }
    Output out = new Output(command);
    try {
      ScriptParams p = ScriptParams.decode(argv.get(argv.indexOf("-Params") + 1));
      ObjectNode result = switch (script.substring(script.lastIndexOf('\\') + 1)) {
        case "recreate.ps1" -> recreate(p, out);
        case "power.ps1" -> power(p, out);
        case "destroy.ps1" -> destroy(p, out);
        case "state.ps1" -> state(p);
        case "gc.ps1" -> gc(p);
        case "home.ps1" -> home(p, out);
        default -> throw new IllegalArgumentException("no such Qubix script: " + script);
      };
      out.line("result", result);
      return out.exit(0);
    } catch (ScriptError e) {
      out.line("error", JSON.createObjectNode().put("message", e.getMessage()).put("category", e.category)
          .put("fix", e.fix).put("step", out.step).put("command", ""));
      return out.exit(1);
    }
  }

  // ---- the scripts

  private ObjectNode recreate(ScriptParams p, Output out) {
    List<String> steps = p.steps(RECREATE_STEPS);
    String vmName = p.name("vmName");
    String vmRoot = p.path("vmRoot");
    String switchName = p.text("switchName");
    boolean defaultSwitch = p.bool("defaultSwitch");
    String network = p.choice("network", "dhcp", "static");
    String baseImage = p.path("baseImage");
    String sourceImage = p.optionalPath("sourceImage");
    boolean withHome = p.bool("homeDisk");
    String homeImage = p.optionalPath("homeImage");
    p.integer("generation", 1, 2, 1);
    p.bool("secureBoot");
    long cpuCount = p.integer("cpuCount", 1, 64, 1);
    p.integer("memoryStartupBytes", 268435456L, 1L << 40, 2097152);
    p.integer("memoryMinimumBytes", 33554432L, 1L << 40, 2097152);
    p.integer("maxMemoryBytes", 268435456L, 1L << 40, 2097152);
    p.integer("waitSeconds", 1, 3600, 1);
    long homeSize = withHome ? p.integer("homeSizeBytes", 1L << 20, 1L << 46, 1) : 0;
    long backupKeep = steps.contains("backup-home") ? p.integer("backupKeep", 1, 1000, 1) : 0;
    String backupName = steps.contains("backup-home") ? p.backupName("backupName") : null;
    String backupWhen = steps.contains("backup-home") ? p.choice("backupWhen", "image-change", "always") : null;
    String vmDir = vmRoot + "\\" + vmName;
    String systemDisk = vmDir + "\\" + vmName + "-system.vhdx";
    String homeDisk = vmDir + "\\" + vmName + "-home.vhdx";
    if (!baseImage.toLowerCase(Locale.ROOT).startsWith((vmRoot + "\\images\\").toLowerCase(Locale.ROOT))) {
      throw ScriptParams.invalid("baseImage", "is outside " + vmRoot + "\\images");
    }

    // preflight: refuse before changing anything
    if (network.equals("static")) {
      throw new ScriptError("the fake Hyper-V host does not model static networks", "error", "use a DHCP network in this test");
    }
    if (!defaultSwitch && !switchName.equals(DEFAULT_SWITCH)) {
      throw new ScriptError("the Hyper-V switch '" + switchName + "' does not exist", "switch-missing",
          "name an existing switch in hyperv.switchName, or use a static network");
    }
    if (cpuCount > LOGICAL_PROCESSORS) {
      throw new ScriptError("cpuCount " + cpuCount + " is more than the " + LOGICAL_PROCESSORS + " logical processors of "
          + "this host", "cpu-count", "set cpuCount to " + LOGICAL_PROCESSORS + " or less in the manifest");
    }
    p.choice("rdpSecret", "stdin");
    String secret = secret(out);
    List<Vm> oldVms = steps.contains("remove-old-vm") ? named(vmName) : List.of();
    oldVms.forEach(vm -> requireOwned(vm, vmDir));
    if (steps.contains("base-image") && !exists(baseImage) && (sourceImage == null || !exists(sourceImage))) {
      throw new ScriptError("the built image " + sourceImage + " cannot be read", "image-missing", "build the appliance first");
    }
    if (steps.contains("home-disk-seed") && !exists(homeDisk) && (homeImage == null || !exists(homeImage))) {
      throw new ScriptError("the home image " + homeImage + " cannot be read", "image-missing", "build the appliance first");
    }

    Map<String, Supplier<String>> actions = new LinkedHashMap<>();
    actions.put("switch-default", () -> "uses the existing switch '" + DEFAULT_SWITCH + "'");
    actions.put("private-folders", () -> {
      // the ACLs themselves are not modelled; the folders and the purge mark are
      if (!exists(vmDir + "\\" + FOLDER_MARK)) {
        write(vmDir + "\\" + FOLDER_MARK, "created by Qubix; purge deletes this folder");
      }
      return null;
    });
    actions.put("rdp-secret", () -> {
      vm(vmName).kvpSecret = secret;
      return null;
    });
    actions.put("base-image", () -> {
      if (exists(baseImage)) {
        return "the base image is cached";
      }
      long size = copyVia(sourceImage, baseImage + ".partial");
      out.line("bytes", JSON.createObjectNode().put("what", "base image").put("done", size).put("total", size));
      move(baseImage + ".partial", baseImage);
      local(baseImage).toFile().setReadOnly();
      return null;
    });
    actions.put("remove-old-vm", () -> {
      if (oldVms.isEmpty()) {
        return "no VM named " + vmName;
      }
      vms.removeAll(oldVms);   // unregistered: its disks and folder stay
      return null;
    });
    actions.put("backup-home", () -> {
      if (!exists(homeDisk)) {
        return "no home disk to back up";
      }
      String current = imageVersion(systemDisk);
      String next = fileStem(baseImage);
      if (backupWhen.equals("image-change") && (current == null || current.equals(next))) {
        return "the image stays " + next + ": no backup";
      }
      backup(vmDir, homeDisk, backupName, current, out);
      List<String> automatic = backupNames(vmDir).stream().filter(n -> n.startsWith("before-recreate-")).toList();
      for (int i = 0; i < automatic.size() - backupKeep; i++) {
        deleteBackup(vmDir, automatic.get(i));
      }
      return null;
    });
    actions.put("system-disk", () -> {
      if (!exists(baseImage)) {
        throw new ScriptError("New-VHD: the parent disk " + baseImage + " does not exist", "error", "");
      }
      if (!exists(vmDir + "\\" + FOLDER_MARK)) {
        write(vmDir + "\\" + FOLDER_MARK, "created by Qubix; purge deletes this folder");
      }
      write(systemDisk, DIFFERENCING + baseImage);
      return null;
    });
    actions.put("home-disk-seed", () -> {
      if (exists(homeDisk)) {
        return "the home disk is kept";
      }
      copyVia(homeImage, homeDisk + ".partial");   // Copy-Item, then Move-Item: never a half-written home disk
      move(homeDisk + ".partial", homeDisk);
      return null;
    });
    actions.put("home-disk-create", () -> {
      if (exists(homeDisk)) {
        return "the home disk is kept";
      }
      write(homeDisk, "fake dynamic VHDX of " + homeSize + " bytes");
      return null;
    });
    boolean disposable = steps.contains("home-disposable");
    String homeDrive = disposable ? overlay(vmDir, vmName) : homeDisk;
    actions.put("home-disposable", () -> {
      String parent = disposableParent(vmDir, vmName);
      if (parent == null) {
        // no home disk: a read-only base, made once; no persistent home is made
        parent = vmDir + "\\" + vmName + "-home-base.vhdx";
        if (homeImage != null && exists(homeImage)) {
          copyVia(homeImage, parent + ".partial");
          move(parent + ".partial", parent);
        } else {
          write(parent, "fake dynamic VHDX of " + homeSize + " bytes");
        }
        local(parent).toFile().setReadOnly();
      }
      write(homeDrive, DIFFERENCING + parent);
      write(vmDir + "\\" + DISPOSABLE_MARK, "this VM runs a disposable home");
      return null;
    });
    actions.put("create-vm", () -> {
      if (!disposable) {
        delete(vmDir + "\\" + DISPOSABLE_MARK);
        delete(overlay(vmDir, vmName));
      }
      for (String disk : withHome ? List.of(systemDisk, homeDrive) : List.of(systemDisk)) {
        if (!exists(disk)) {
          throw new ScriptError("New-VM: the disk " + disk + " does not exist", "error", "");
        }
      }
      vms.add(new Vm(vmName, vmDir, VM_MARK + " created by Qubix from " + vmDir,
          withHome ? List.of(systemDisk, homeDrive) : List.of(systemDisk)));
      return null;
    });
    actions.put("start", () -> start(vm(vmName)));
    actions.put("wait-running", () -> {
      if (!vm(vmName).state.equals("Running")) {
        throw new ScriptError(vmName + " did not reach Running", "timeout", "look at the VM in Hyper-V Manager");
      }
      return null;
    });
    for (String step : steps) {
      Supplier<String> action = actions.get(step);
      if (action == null) {
        throw new ScriptError("the fake Hyper-V host does not model the step " + step, "error", "");
      }
      out.step(step, action);
    }
    return JSON.createObjectNode().put("vmName", vmName).put("vmDir", vmDir).put("systemDisk", systemDisk)
        .put("homeDisk", homeDisk).put("baseImage", baseImage);
  }

  private ObjectNode power(ScriptParams p, Output out) {
    String vmName = p.name("vmName");
    String vmDir = p.path("vmRoot") + "\\" + vmName;
    String action = p.choice("action", "start", "stop");
    p.integer("graceSeconds", 0, 86400, 1);
    List<Vm> found = named(vmName);
    if (found.isEmpty()) {
      throw new ScriptError("no VM named " + vmName, "not-found", "create it with recreate (qubixctl up)");
    }
    Vm vm = found.get(0);
    requireOwned(vm, vmDir);
    if (action.equals("start")) {
      p.choice("rdpSecret", "stdin");
      String secret = secret(out);
      out.step("rdp-secret", () -> {
        if (vm.state.equals("Running")) {
          return "already running: the guest keeps the password it booted with";
        }
        vm.kvpSecret = secret;
        return null;
      });
      out.step("start", () -> {
        if (!vm.state.equals("Running") && exists(vmDir + "\\" + DISPOSABLE_MARK)) {
          String parent = disposableParent(vmDir, vmName);
          if (parent == null) {
            throw new ScriptError("the disposable home of " + vmName + " has no parent disk", "not-found", "recreate it");
          }
          write(overlay(vmDir, vmName), DIFFERENCING + parent);   // a fresh overlay: the last run's writes are gone
        }
        return start(vm);
      });
    } else {
      out.step("stop", () -> {
        if (vm.state.equals("Off")) {
          return "already off";
        }
        vm.state = "Off";
        delete(overlay(vmDir, vmName));
        return null;
      });
    }
    return JSON.createObjectNode().put("vmName", vmName).put("action", action).put("state", vm.state).put("graceful", true);
  }

  private ObjectNode destroy(ScriptParams p, Output out) {
    String vmName = p.name("vmName");
    String vmDir = p.path("vmRoot") + "\\" + vmName;
    boolean purge = p.bool("purge");
    List<Vm> found = named(vmName);
    found.forEach(vm -> requireOwned(vm, vmDir));
    if (purge && exists(vmDir) && !exists(vmDir + "\\" + FOLDER_MARK)) {
      throw new ScriptError(vmDir + " has no " + FOLDER_MARK + " file: Qubix did not create this folder, so purge deletes "
          + "nothing in it", "unsafe-path", "delete it yourself if it is yours to delete");
    }
    if (purge && exists(vmDir) && walk(vmDir).anyMatch(Files::isSymbolicLink)) {
      throw new ScriptError(vmDir + " holds a link: Qubix deletes nothing outside the VM folder", "unsafe-path",
          "remove the link yourself, then purge again");
    }
    out.step("remove-vm", () -> {
      if (found.isEmpty()) {
        return "no VM named " + vmName;
      }
      vms.removeAll(found);
      return null;
    });
    out.step("remove-system-disk", () -> {
      delete(overlay(vmDir, vmName));
      return delete(vmDir + "\\" + vmName + "-system.vhdx") ? null : "no system disk";
    });
    if (purge) {
      out.step("remove-home-disk", () -> {
        if (!exists(vmDir)) {
          return "no folder " + vmDir;
        }
        walk(vmDir).sorted(Comparator.reverseOrder()).forEach(FakeHyperVHost::deleteLocal);
        return null;
      });
    }
    return JSON.createObjectNode().put("vmName", vmName).put("homeKept", !purge);
  }

  /**
   * home.ps1: backups as copies under {@code backups\.partial} renamed into {@code backups}, with a
   * JSON description; restore and import keep the current home (a copy here, a hard link on NTFS)
   * and switch with one rename. A "disk image" to import is a non-empty .vhdx or .vhd file.
   */
  private ObjectNode home(ScriptParams p, Output out) {
    String vmName = p.name("vmName");
    String vmDir = p.path("vmRoot") + "\\" + vmName;
    String action = p.choice("action", "backup", "restore", "delete", "export", "import", "list");
    String name = List.of("backup", "restore", "delete").contains(action) ? p.backupName("name") : null;
    String keepFirst = List.of("restore", "import").contains(action) ? p.backupName("keepName") : null;
    String keep = keepFirst;
    for (int i = 2; keep != null && exists(p.path("vmRoot") + "\\" + vmName + "\\backups\\" + keep + ".vhdx"); i++) {
      keep = keepFirst + "-" + i;   // a retry within the same second keeps the home again under a new name
    }
    String keepName = keep;
    String file = List.of("export", "import").contains(action) ? p.path("file") : null;
    if (file != null && !file.toLowerCase(Locale.ROOT).matches(".*\\.vhdx?")) {
      throw ScriptParams.invalid("file", "must end in .vhdx or .vhd (the format Hyper-V writes or reads)");
    }
    String homeDisk = vmDir + "\\" + vmName + "-home.vhdx";
    String newHome = vmDir + "\\" + vmName + "-home.new.vhdx";
    String backups = vmDir + "\\backups";
    if (action.equals("list")) {
      ObjectNode r = JSON.createObjectNode();
      ArrayNode list = r.putArray("backups");
      for (String n : backupNames(vmDir)) {
        ObjectNode d = description(vmDir, n);
        list.addObject().put("name", n).put("time", d.path("time").asText()).put("sizeBytes", size(backups + "\\" + n + ".vhdx"))
            .put("imageVersion", d.path("imageVersion").isTextual() ? d.path("imageVersion").asText() : null)
            .put("automatic", n.startsWith("before-recreate-") || n.startsWith("before-restore-"));
      }
      return r;
    }
    List<Vm> found = named(vmName);
    found.forEach(vm -> requireOwned(vm, vmDir));
    String state = found.isEmpty() ? "Off" : found.get(0).state;
    if (!action.equals("delete") && !state.equals("Off")) {
      throw new ScriptError(vmName + " is " + state + ": Hyper-V copies the disk of a running VM only through a checkpoint, "
          + "which Qubix does not use", "vm-running", "stop it first (qubixctl stop " + vmName + ")");
    }
    if (List.of("backup", "export").contains(action) && !exists(homeDisk)) {
      throw new ScriptError(vmName + " has no home disk " + homeDisk, "not-found", "create the VM with a home disk first");
    }
    if (List.of("restore", "delete").contains(action) && !exists(backups + "\\" + name + ".vhdx")) {
      throw new ScriptError(vmName + " has no backup named " + name, "invalid-parameter", "qubixctl home list " + vmName
          + " shows its backups");
    }
    if (action.equals("backup") && exists(backups + "\\" + name + ".vhdx")) {
      throw new ScriptError(vmName + " already has a backup named " + name, "invalid-parameter", "choose another name");
    }
    if (action.equals("export") && exists(file)) {
      throw new ScriptError(file + " exists", "invalid-parameter", "choose a new file name");
    }
    if (action.equals("import") && (!exists(file) || size(file) == 0 || read(file).startsWith(DIFFERENCING))) {
      throw new ScriptError(file + " is not a usable disk image", "invalid-parameter", "import a .vhdx or .vhd file");
    }
    String version = imageVersion(vmDir + "\\" + vmName + "-system.vhdx");
    switch (action) {
      case "backup" -> {
        String partial = backups + "\\.partial\\" + name + ".vhdx";
        out.step("copy-home", () -> {
          copyVia(homeDisk, partial);
          return null;
        });
        out.step("keep-backup", () -> {
          describe(vmDir, name, version);
          move(partial, backups + "\\" + name + ".vhdx");
          return null;
        });
      }
      case "restore", "import" -> {
        String from = action.equals("restore") ? backups + "\\" + name + ".vhdx" : file;
        out.step(action.equals("restore") ? "copy-backup" : "copy-file", () -> {
          copyVia(from, newHome);
          return null;
        });
        out.step("keep-current", () -> {
          if (!exists(homeDisk)) {
            return "no current home to keep";
          }
          copyVia(homeDisk, backups + "\\" + keepName + ".vhdx");
          describe(vmDir, keepName, version);
          return null;
        });
        out.step("switch-home", () -> {
          move(newHome, homeDisk);
          return null;
        });
      }
      case "export" -> out.step("export", () -> {
        String partial = file.replaceAll("(\\.vhdx?)$", ".partial$1");
        copyVia(homeDisk, partial);
        move(partial, file);
        return null;
      });
      default -> out.step("delete", () -> {
        deleteBackup(vmDir, name);
        return null;
      });
    }
    return JSON.createObjectNode().put("vmName", vmName).put("action", action).put("homeDisk", homeDisk);
  }

  private void backup(String vmDir, String homeDisk, String name, String version, Output out) {
    String partial = vmDir + "\\backups\\.partial\\" + name + ".vhdx";
    long size = copyVia(homeDisk, partial);
    out.line("bytes", JSON.createObjectNode().put("what", "home backup").put("done", size).put("total", size));
    describe(vmDir, name, version);
    move(partial, vmDir + "\\backups\\" + name + ".vhdx");
  }

  private void describe(String vmDir, String name, String version) {
    write(vmDir + "\\backups\\" + name + ".json", JSON.createObjectNode().put("name", name)
        .put("time", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()).put("imageVersion", version).toString());
  }

  private ObjectNode description(String vmDir, String name) {
    try {
      return (ObjectNode) JSON.readTree(read(vmDir + "\\backups\\" + name + ".json"));
    } catch (IOException | RuntimeException e) {
      return JSON.createObjectNode().put("time", Instant.EPOCH.toString());
    }
  }

  /** The backups' names, oldest first (by their descriptions' time, then name). */
  private List<String> backupNames(String vmDir) {
    Path dir = local(vmDir + "\\backups");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    return children(dir, ".vhdx").stream().map(FakeHyperVHost::fileStem)
        .sorted(Comparator.comparing((String n) -> description(vmDir, n).path("time").asText()).thenComparing(n -> n)).toList();
  }

  private void deleteBackup(String vmDir, String name) {
    delete(vmDir + "\\backups\\" + name + ".vhdx");
    delete(vmDir + "\\backups\\" + name + ".json");
  }

  private static String overlay(String vmDir, String vmName) {
    return vmDir + "\\" + vmName + "-home-disposable.vhdx";
  }

  /** Get-QubixDisposableParent: the home disk, or the read-only base a disposable recreate made. */
  private String disposableParent(String vmDir, String vmName) {
    for (String d : List.of(vmDir + "\\" + vmName + "-home.vhdx", vmDir + "\\" + vmName + "-home-base.vhdx")) {
      if (exists(d)) {
        return d;
      }
    }
    return null;
  }

  /** Get-QubixImageVersion: the cached base a system disk differences, by its store-hash name. */
  private String imageVersion(String systemDisk) {
    String parent = exists(systemDisk) ? parent(systemDisk) : null;
    return parent == null ? null : fileStem(parent);
  }

  private static String fileStem(String path) {
    String n = path.substring(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
    return n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
  }

  private long size(String windowsPath) {
    try {
      return Files.size(local(windowsPath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String read(String windowsPath) {
    try {
      return Files.readString(local(windowsPath), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads and changes nothing. */
  private ObjectNode state(ScriptParams p) {
    String vmName = p.name("vmName");
    String vmRoot = p.path("vmRoot");
    String switchName = p.text("switchName");
    boolean found = p.bool("defaultSwitch") || switchName.equals(DEFAULT_SWITCH);
    String baseImage = p.optionalPath("baseImage");
    List<Vm> named = named(vmName);
    Vm vm = named.isEmpty() ? null : named.get(0);
    ObjectNode r = JSON.createObjectNode().put("switchExists", found).put("switchName", found ? DEFAULT_SWITCH : null)
        .put("systemSwitch", found).put("hostIpExists", false);
    r.putArray("netNats");
    r.put("vmExists", vm != null).put("vmState", vm == null ? null : vm.state)
        .put("baseImageCached", baseImage != null && exists(baseImage))
        .put("homeDiskExists", exists(vmRoot + "\\" + vmName + "\\" + vmName + "-home.vhdx"))
        .put("homeDisposable", exists(vmRoot + "\\" + vmName + "\\" + DISPOSABLE_MARK));
    r.putArray("ipAddresses");
    r.put("uptimeSeconds", vm == null || vm.since == null ? 0 : Duration.between(vm.since, Instant.now()).toSeconds());
    return r;
  }

  /** Removes cached base images no VM disk (registered, or in a VM folder) uses, and stale partial copies. */
  private ObjectNode gc(ScriptParams p) {
    String vmRoot = p.path("vmRoot");
    ObjectNode r = JSON.createObjectNode();
    ArrayNode removed = r.putArray("removed");
    ArrayNode kept = r.putArray("kept");
    r.putArray("uninspectable");
    String images = vmRoot + "\\images";
    if (!exists(images)) {
      return r;
    }
    Set<String> inUse = new HashSet<>();
    List<String> disks = new ArrayList<>();
    vms.forEach(vm -> disks.addAll(vm.disks));
    try (Stream<Path> folders = Files.list(local(vmRoot))) {
      folders.filter(f -> Files.isDirectory(f) && !f.getFileName().toString().equals("images"))
          .forEach(f -> children(f, ".vhdx").forEach(d -> disks.add(vmRoot + "\\" + f.getFileName() + "\\" + d)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String disk : disks) {
      for (String d = disk; d != null; d = parent(d)) {
        inUse.add(d.toLowerCase(Locale.ROOT));
      }
    }
    for (String partial : children(local(images), ".partial")) {
      deleteLocal(local(images + "\\" + partial));
      removed.add(images + "\\" + partial);
    }
    for (String base : children(local(images), ".vhdx")) {
      String path = images + "\\" + base;
      if (inUse.contains(path.toLowerCase(Locale.ROOT))) {
        kept.addObject().put("path", path).put("why", "a VM disk uses it");
      } else {
        deleteLocal(local(path));
        removed.add(path);
      }
    }
    return r;
  }

  // ---- the host

  /** Read-QubixSecret: one line on stdin, checked before any change. */
  private static String secret(Output out) {
    String line = out.stdin == null ? "" : out.stdin.strip();
    if (!SECRET.matcher(line).matches()) {
      throw new ScriptError("the RDP secret on stdin is missing or malformed", "invalid-parameter",
          "this is a Qubix bug: the secret travels on stdin");
    }
    return line;
  }

  /** The KVP item the VM's guest would read, for tests. */
  synchronized String kvpSecret(String vmName) {
    return vm(vmName).kvpSecret;
  }

  private List<Vm> named(String vmName) {
    return vms.stream().filter(vm -> vm.name.equals(vmName)).toList();
  }

  private Vm vm(String vmName) {
    List<Vm> found = named(vmName);
    if (found.isEmpty()) {
      throw new ScriptError("Hyper-V was unable to find a virtual machine with name \"" + vmName + "\"", "error", "");
    }
    return found.get(0);
  }

  private static String start(Vm vm) {
    if (vm.state.equals("Running")) {
      return "already running";
    }
    vm.state = "Running";
    vm.since = Instant.now();
    return null;
  }

  /** Assert-QubixOwnsVm: Qubix touches a VM only in its own folder and with its mark in the Notes. */
  private static void requireOwned(Vm vm, String vmDir) {
    if (!vm.path.equalsIgnoreCase(vmDir)) {
      throw new ScriptError("a VM named " + vm.name + " lives in " + vm.path + ", not in " + vmDir
          + ": Qubix did not create it", "vm-conflict", "rename or remove that VM yourself, or change vmName in the manifest");
    }
    if (!vm.notes.contains(VM_MARK)) {
      throw new ScriptError("the VM " + vm.name + " in " + vmDir + " has no " + VM_MARK + " mark in its Notes: Qubix "
          + "did not create it", "vm-conflict", "change vmName in the manifest");
    }
  }

  /** A VM Qubix did not make (no mark in its Notes), as a user may have one with the same name. */
  synchronized void addForeignVm(String vmName, String folder) {
    vms.add(new Vm(vmName, folder, "", List.of()));
  }

  // ---- disks: real files under the drives folder

  private boolean exists(String windowsPath) {
    return Files.exists(local(windowsPath));
  }

  private String parent(String disk) {
    try {
      String text = Files.readString(local(disk), StandardCharsets.UTF_8);
      return text.startsWith(DIFFERENCING) ? text.substring(DIFFERENCING.length()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private long copyVia(String from, String to) {
    try {
      Files.createDirectories(local(to).getParent());
      Files.copy(local(from), local(to), StandardCopyOption.REPLACE_EXISTING);
      local(to).toFile().setWritable(true);
      return Files.size(local(to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void move(String from, String to) {
    try {
      Files.move(local(from), local(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String windowsPath, String content) {
    try {
      Path p = local(windowsPath);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean delete(String windowsPath) {
    try {
      return Files.deleteIfExists(local(windowsPath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteLocal(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Stream<Path> walk(String windowsPath) {
    try (Stream<Path> all = Files.walk(local(windowsPath))) {
      return all.toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> children(Path dir, String suffix) {
    try (Stream<Path> all = Files.list(dir)) {
      return all.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One script run's stdout, each line handed to the caller as it is written (as a real process streams it). */
  private static final class Output {
    private final Command command;
    private final List<String> lines = new ArrayList<>();
    /** What the caller wrote to the script's stdin (the RDP secret, for recreate and start). */
    final String stdin;
    String step = "";

    Output(Command command) {
      this.command = command;
      this.stdin = command.stdin();
    }

    /** Invoke-QubixStep: a start line, the action, then skip (the action said why nothing was to do) or done. */
    void step(String id, Supplier<String> action) {
      step = id;
      line("step", stepLine(id, "start", ""));
      String skipped = action.get();
      line("step", stepLine(id, skipped != null ? "skip" : "done", skipped != null ? skipped : ""));
      step = "";
    }

    private static ObjectNode stepLine(String id, String phase, String message) {
      return JSON.createObjectNode().put("id", id).put("phase", phase).put("message", message);
    }

    void line(String kind, ObjectNode data) {
      String line = "::qubix-" + kind + "::" + data;
      lines.add(line);
      command.stdoutLines().accept(line);
    }

    CommandResult exit(int code) {
      return new CommandResult(command.argv(), code, String.join("\n", lines) + "\n", "", Duration.ZERO);
    }
  }
}
