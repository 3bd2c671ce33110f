package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ConfigurationException;
import dev.qubix.Endpoint;
import dev.qubix.HomeBackup;
import dev.qubix.HomeMode;
import dev.qubix.InstanceStatus;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.hyperv.ElevationRequiredException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.HomeSupport;
import dev.qubix.spi.ImageNeeds;
import dev.qubix.spi.PlanRequest;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.RdpClients;
import dev.qubix.spi.WslPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hyper-V through static PowerShell scripts: one powershell.exe per operation, parameters as
 * base64(JSON). Plans are pure ({@link HyperVPlanner}); the host snapshot they show comes from
 * state.ps1, or is "not inspected" where no Hyper-V host is reachable (planning on Linux).
 * Opening the backend changes nothing and starts nothing.
 */
public final class HyperVBackend implements Backend {
  private final BackendContext context;
  private final PowerShell powershell;
  private final HyperVSecrets secrets;

  public HyperVBackend(BackendContext context) {
    this(context, defaultStore(context));
  }

  /** With the credential store handed in: tests use a fake, the product {@link #defaultStore}. */
  public HyperVBackend(BackendContext context, CredentialStore store) {
    this.context = context;
    this.powershell = new PowerShell(context.runner(), context.listener(), context.stateDir(), context.host(), context.timeout());
    this.secrets = new HyperVSecrets(store);
  }

  /**
   * Windows Java: Windows Credential Manager, which mstsc reads too. Java in WSL cannot call it, so
   * there the secret is a 0600 file in the distribution's state directory (mstsc then prompts).
   */
  static CredentialStore defaultStore(BackendContext context) {
    return context.host().os() == HostInfo.Os.WINDOWS ? new dev.qubix.hyperv.internal.wincred.WindowsCredentialStore()
        : new PrivateFileCredentialStore(context.stateDir());
  }

  @Override
  public String name() {
    return "hyperv";
  }

  @Override
  public BackendContext context() {
    return context;
  }

  @Override
  public ImageNeeds images() {
    return new ImageNeeds(Set.of("hyperv"), Set.of("home"));
  }

  private boolean onWindows() {
    return context.host().os() == HostInfo.Os.WINDOWS;
  }

  private boolean hostReachable() {
    HostInfo h = context.host();
    return context.isLocal() && (h.os() == HostInfo.Os.WINDOWS || (h.os() == HostInfo.Os.LINUX && h.wsl()));
  }

  private void requireHost() {
    if (!context.isLocal()) {
      throw new BackendUnavailableException("Hyper-V on another host (" + context.managementHost()
          + ") is not supported yet: run Qubix on the Hyper-V host itself");
    }
    if (!hostReachable()) {
      throw new BackendUnavailableException("Hyper-V needs Windows (or WSL with interop): use the microvm backend on Linux");
    }
  }

  /**
   * Mutating cmdlets need elevation or Hyper-V Administrators: say so before anything runs. From WSL
   * Java cannot read the Windows token; the scripts check it first thing instead.
   */
  private void requireRights() {
    requireHost();
    if (onWindows() && !WindowsHost.mayManageHyperV()) {
      throw new ElevationRequiredException("changing Hyper-V VMs needs an elevated shell or membership in Hyper-V "
          + "Administrators: run as administrator, or Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME "
          + "(then sign out and in)");
    }
  }

  /**
   * New-NetIPAddress and New-NetNat need a full, elevated administrator; Hyper-V Administrators is
   * not enough. recreate.ps1 checks this too (from WSL Java cannot read the Windows token).
   */
  public static void requireElevationFor(Plan plan, boolean elevated) {
    if (HyperVPlanner.needsElevation(plan) && !elevated) {
      throw new ElevationRequiredException("this recreate adds the static network's gateway address or NetNat to the "
          + "host, which needs an elevated administrator (Hyper-V Administrators may change VMs but not host networking): "
          + "run qubixctl up once from an elevated shell (Run as administrator); later recreates run without elevation");
    }
  }

  // ---- plans: each operation is one script run, the plan's steps are the script's step lines

  @Override
  public BackendPlan plan(PlanRequest r) {
    MachineManifest m = r.manifest();
    HyperVPlanner.requireHyperV(m);
    return switch (r.operation()) {
      case RECREATE -> recreate(m, r.images(), r.purpose(), r.home());
      case START -> power(m, HyperVPlanner.power(m, Operation.START, 0), "start");
      case STOP -> power(m, HyperVPlanner.power(m, Operation.STOP, Math.max(1, r.grace().toSeconds())), "stop");
      case DESTROY, PURGE -> {
        Plan plan = HyperVPlanner.destroy(m, r.operation() == Operation.PURGE);
        yield BackendPlan.runAsOne(plan.steps(), this::requireRights, () -> {
          powershell.run(HyperVPlanner.DESTROY_SCRIPT, HyperVPlanner.scriptParams(plan), plan);
          if (r.operation() == Operation.PURGE) {
            // after the script: a purge that failed half-way keeps the secret of the VM it left behind
            powershell.javaStep(plan, HyperVPlanner.FORGET_SECRET, () -> secrets.forget(m));
          }
        });
      }
      case UP -> throw new IllegalArgumentException("UP is decided by the engine");
      case HOME_BACKUP, HOME_RESTORE, HOME_DELETE, HOME_EXPORT, HOME_IMPORT -> home(m, r);
    };
  }

  /** Every home operation, each one home.ps1 run, and disposable homes (a differencing VHDX over the home). */
  @Override
  public HomeSupport homeSupport() {
    return new HomeSupport(EnumSet.of(Operation.HOME_BACKUP, Operation.HOME_RESTORE, Operation.HOME_DELETE,
        Operation.HOME_EXPORT, Operation.HOME_IMPORT), true);
  }

  private BackendPlan home(MachineManifest m, PlanRequest r) {
    HomeRequest h = r.home();
    Operation op = r.operation();
    String file = h.file().map(f -> windowsFile(m, f)).orElse(null);
    Plan plan = HyperVPlanner.home(m, op, h, context.clock().instant(), file);
    BackendPlan.Action preflight = () -> {
      requireHomeInput(op, h, file);
      requireRights();
    };
    return BackendPlan.runAsOne(plan.steps(), preflight, () -> {
      try {
        powershell.run(HyperVPlanner.HOME_SCRIPT, HyperVPlanner.scriptParams(plan), plan);
      } catch (HyperVScriptException e) {
        throw asBadInput(e);
      }
    });
  }

  /** What home.ps1 refuses before its first step (a running VM, an unknown or taken name, a file that is no disk) is bad input: nothing changed. */
  static RuntimeException asBadInput(HyperVScriptException e) {
    boolean refused = e.step() == null || e.step().isBlank();
    if (refused && java.util.Set.of("invalid-parameter", "vm-running", "not-found", "disk-full").contains(e.category())) {
      return new ConfigurationException(e.getMessage(), e);
    }
    return e;
  }

  /** What home.ps1 would refuse for its parameters, refused here first, with the option to fix. */
  static void requireHomeInput(Operation op, HomeRequest h, String file) {
    if ((op == Operation.HOME_RESTORE || op == Operation.HOME_DELETE) && h.backup().isEmpty()) {
      throw new ConfigurationException(op.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
          + " needs the backup's name: qubixctl home list shows them");
    }
    if ((op == Operation.HOME_EXPORT || op == Operation.HOME_IMPORT)
        && (file == null || !file.toLowerCase(java.util.Locale.ROOT).matches(".*\\.vhdx?"))) {
      throw new ConfigurationException("file '" + (file == null ? "" : file) + "': Hyper-V reads and writes homes as "
          + ".vhdx or .vhd files: name a file with one of those extensions");
    }
    if (file != null && WslPaths.distroOf(file).isPresent()) {
      // Convert-VHD runs in Hyper-V's service (vmms, as SYSTEM), which cannot open a WSL user's files
      throw new ConfigurationException("file '" + file + "' is inside WSL, where Hyper-V's disk service cannot read or "
          + "write: use a path on a Windows drive (from WSL: under /mnt/c)");
    }
  }

  /** The backups home.ps1 lists (a read: no lock, no change), oldest first. */
  @Override
  public List<HomeBackup> homeBackups(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    requireHost();
    return backups(powershell.run(HyperVPlanner.HOME_SCRIPT, HyperVPlanner.listParams(m)));
  }

  static List<HomeBackup> backups(JsonNode result) {
    List<HomeBackup> out = new ArrayList<>();
    for (JsonNode b : result.path("backups")) {
      String version = b.path("imageVersion").asText("");
      out.add(new HomeBackup(b.path("name").asText(), java.time.Instant.parse(b.path("time").asText()),
          b.path("sizeBytes").asLong(), version.isEmpty() || b.path("imageVersion").isNull() ? Optional.empty() : Optional.of(version),
          b.path("automatic").asBoolean()));
    }
    out.sort(java.util.Comparator.comparing(HomeBackup::time).thenComparing(HomeBackup::name));
    return out;
  }

  /**
   * A file the user named, as Windows opens it: Windows Java holds it already; Java in WSL holds
   * {@code /mnt/c/…} (the drive) or a path of its own distribution.
   */
  String windowsFile(MachineManifest m, Path file) {
    String s = file.toString();
    if (s.matches("^[A-Za-z]:\\\\.*") || s.startsWith("\\\\")) {
      return s;
    }
    java.util.regex.Matcher drive = java.util.regex.Pattern.compile("^/mnt/([a-z])(/.*)?$").matcher(s);
    if (drive.matches()) {
      String rest = drive.group(2) == null ? "" : drive.group(2).substring(1).replace('/', '\\');
      return drive.group(1).toUpperCase(java.util.Locale.ROOT) + ":\\" + rest;
    }
    String distro = context.host().wsl() ? context.host().getenv("WSL_DISTRO_NAME").orElse(HyperVSettings.require(m).wslDistro())
        : HyperVSettings.require(m).wslDistro();
    return WslPaths.toWindows(distro, s);
  }

  private BackendPlan power(MachineManifest m, Plan plan, String action) {
    return BackendPlan.runAsOne(plan.steps(), this::requireRights, () -> {
      String secret = action.equals("start") ? secrets.ensure(m) : null;
      requireFinalState(m, action, powershell.run(HyperVPlanner.POWER_SCRIPT, HyperVPlanner.scriptParams(plan), plan, secret));
    });
  }

  /**
   * One recreate.ps1 run performs the whole plan. A plan that runs is made without reading the host
   * first (that would cost a second PowerShell start): every step checks before it acts, and the
   * script refuses before its first change when something is in the way. A plan that is only shown
   * reads the host, where it can, to say what would really happen.
   */
  private BackendPlan recreate(MachineManifest m, ImageSet images, PlanRequest.Purpose purpose, HomeRequest home) {
    HostState seen = purpose == PlanRequest.Purpose.SHOW ? inspect(m, images) : HostState.unknown();
    Plan[] plan = {recreatePlan(m, images, seen, home)};
    BackendPlan.Action preflight = () -> {
      if (images.get("hyperv").isEmpty()) {
        throw new ManifestException(m.pointer() + "/images/hyperv", "missing: the hyperv backend needs a vhdx image "
            + "with key hyperv (build the appliance first)");
      }
      requireRights();
      if (onWindows() && HyperVPlanner.needsElevation(plan[0]) && !WindowsHost.isElevated()) {
        // Hyper-V Administrators may not add host addresses or NetNats: look whether those steps are
        // still needed (one more PowerShell start, only for a non-elevated user with a static network)
        plan[0] = recreatePlan(m, images, hostState(m, images), home);
        requireElevationFor(plan[0], false);
      }
    };
    return BackendPlan.runAsOne(plan[0].steps(), preflight, () -> powershell.run(HyperVPlanner.RECREATE_SCRIPT,
        HyperVPlanner.scriptParams(plan[0]), plan[0], secrets.ensure(m)));
  }

  private Plan recreatePlan(MachineManifest m, ImageSet images, HostState state, HomeRequest home) {
    return HyperVPlanner.recreate(m, images, state, windowsPath(m, images.get("hyperv")), windowsPath(m, images.get("home")),
        home.beforeRecreate(), context.clock().instant(), home.mode());
  }

  /** The host as a plan shows it; without a reachable host or the rights to read it, "not inspected". */
  private HostState inspect(MachineManifest m, ImageSet images) {
    if (!hostReachable()) {
      return HostState.unknown();
    }
    try {
      return hostState(m, images);
    } catch (BackendUnavailableException e) {
      return HostState.unknown();
    }
  }

  HostState hostState(MachineManifest m, ImageSet images) {
    return HostState.fromJson(powershell.run(HyperVPlanner.STATE_SCRIPT, HyperVPlanner.stateParams(m, images)));
  }

  // ---- reading

  /**
   * WMI first (milliseconds, no PowerShell). It cannot read the guest's DHCP address cheaply, so a
   * running VM with a DHCP network, or a WMI that cannot be asked, falls back to state.ps1.
   */
  @Override
  public Optional<InstanceStatus> inspect(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    requireHost();
    Map<String, String> details = Map.of("vmDir", HyperVPaths.of(m).vmDir(), HomeMode.DETAIL,
        HomeMode.PERSISTENT.word());
    if (onWindows()) {
      // Windows Java reads the VM folder directly: the mark says the VM runs a disposable home
      HomeMode mode = java.nio.file.Files.exists(Path.of(HyperVPaths.of(m).disposableMark())) ? HomeMode.DISPOSABLE : HomeMode.PERSISTENT;
      details = Map.of("vmDir", HyperVPaths.of(m).vmDir(), HomeMode.DETAIL, mode.word());
      WindowsHost.WmiVm wmi = WindowsHost.vm(m.vmName());
      if (wmi instanceof WindowsHost.WmiVm.Absent) {
        requireVisible(WindowsHost.mayManageHyperV());
        return Optional.empty();
      }
      if (wmi instanceof WindowsHost.WmiVm.Found f) {
        InstanceStatus.State state = VmStates.fromEnabledState(f.enabledState());
        if (m.network().isStatic() || state != InstanceStatus.State.RUNNING) {
          List<String> addresses = m.network().isStatic() ? List.of(m.network().staticIp().toString()) : List.of();
          Optional<Duration> uptime = f.uptimeMillis() > 0 ? Optional.of(Duration.ofMillis(f.uptimeMillis())) : Optional.empty();
          return Optional.of(new InstanceStatus(m.vmName(), name(), state, addresses, uptime, details));
        }
      }
    }
    JsonNode raw = powershell.run(HyperVPlanner.STATE_SCRIPT, HyperVPlanner.stateParams(m, ImageSet.empty()));
    HostState s = HostState.fromJson(raw);
    if (!s.vmExists()) {
      return Optional.empty();
    }
    details = Map.of("vmDir", HyperVPaths.of(m).vmDir(), HomeMode.DETAIL,
        (raw.path("homeDisposable").asBoolean() ? HomeMode.DISPOSABLE : HomeMode.PERSISTENT).word());
    List<String> addresses = m.network().isStatic() ? List.of(m.network().staticIp().toString()) : s.ipAddresses();
    return Optional.of(new InstanceStatus(m.vmName(), name(), VmStates.fromName(s.vmState()), addresses,
        s.uptimeSeconds() > 0 ? Optional.of(Duration.ofSeconds(s.uptimeSeconds())) : Optional.empty(), details));
  }

  /**
   * A user who may not manage Hyper-V gets zero rows from root\virtualization\v2 rather than an error
   * (containers/libhvee#224): "absent" would be a guess, so say why it cannot be known.
   */
  public static void requireVisible(boolean mayManageHyperV) {
    if (!mayManageHyperV) {
      throw new BackendUnavailableException("WMI lists no such VM, but this user may not manage Hyper-V, and WMI hides "
          + "VMs from such users: run elevated, or Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME (then sign "
          + "out and in)");
    }
  }

  /** The state power.ps1 reports the VM ended in must be the one asked for: a failed stop is not a stop. */
  public static void requireFinalState(MachineManifest m, String action, JsonNode result) {
    String want = action.equals("stop") ? "Off" : "Running";
    String got = result.path("state").asText("");
    if (!got.equals(want)) {
      throw new QubixException(m.vmName() + " is " + (got.isEmpty() ? "in an unknown state" : got) + " after " + action
          + ", not " + want + ": look at the VM in Hyper-V Manager");
    }
  }

  /** Removes cached base images no VM uses, under this machine's vmRoot. */
  @Override
  public List<String> gc(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    requireRights();
    JsonNode r = powershell.run(HyperVPlanner.GC_SCRIPT, HyperVPlanner.gcParams(m));
    List<String> removed = new ArrayList<>();
    r.path("removed").forEach(n -> removed.add(n.asText()));
    for (String kept : GcReport.kept(r)) {
      ProgressListener.safely(context.listener(), new ProgressEvent.Log(ProgressEvent.Log.Level.INFO, "gc", kept));
    }
    return removed;
  }

  /**
   * Address: static IP > the guest's IPv4 reported over KVP > the mDNS name. (An explicit address
   * never reaches the backend: core's connect uses it directly.)
   */
  @Override
  public Endpoint endpoint(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    int port = m.rdp().port();
    if (m.network().isStatic()) {
      return new Endpoint(m.network().staticIp().toString(), port);
    }
    requireHost();
    List<String> reported = hostState(m, ImageSet.empty()).ipAddresses();
    Optional<String> kvp = Addresses.firstUsableIpv4(reported);
    if (kvp.isPresent()) {
      return new Endpoint(kvp.get(), port);
    }
    return m.mdns().map(n -> new Endpoint(n, port)).orElseThrow(() -> new QubixException(m.vmName()
        + " reports no IPv4 address yet (hv_kvp_daemon in the guest reports it once booted) and has no mdnsName: "
        + "wait for it to boot, or connect with an explicit address"));
  }

  /** The VM's secret, from the credential store; empty before the first create. */
  @Override
  public Optional<String> rdpPassword(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    return secrets.read(m);
  }

  /**
   * A running guest set its password from the KVP item when it booted and keeps it until it boots
   * again: rotating under it would leave {@code connect} with a password the guest does not know.
   * The new secret reaches the guest at the next start (power.ps1's rdp-secret step).
   */
  @Override
  public void rotateSecret(MachineManifest m) {
    HyperVPlanner.requireHyperV(m);
    Optional<InstanceStatus> s = inspect(m);
    if (s.isEmpty()) {
      throw new QubixException(m.vmName() + " does not exist: its secret is made by the first up or recreate");
    }
    if (s.get().state() != InstanceStatus.State.STOPPED) {
      throw new QubixException(m.vmName() + " is " + s.get().state().name().toLowerCase(java.util.Locale.ROOT)
          + ", and its guest keeps the current password until it boots again: stop it, rotate, then start it");
    }
    secrets.rotate(m);
  }

  /**
   * Writes {@code <vmDir>\<vmName>.rdp} (never a password), stores the VM's secret as the
   * {@code TERMSRV/<address>} credential mstsc looks up for that address, and opens the file with
   * mstsc, which then logs in with no prompt. From WSL the store is not one mstsc reads: it asks.
   */
  @Override
  public Optional<Process> openClient(MachineManifest m, Endpoint endpoint, Optional<String> password) {
    HyperVPlanner.requireHyperV(m);
    boolean stored = password.isPresent() && secrets.login(m, endpoint.host(), password.get());
    if (password.isPresent() && !stored) {
      ProgressListener.safely(context.listener(), new ProgressEvent.Log(ProgressEvent.Log.Level.WARN, "connect",
          "mstsc will ask for a password it cannot be given: Java in WSL cannot write Windows Credential Manager, "
              + "which mstsc reads, and Qubix never prints the secret. Manage Hyper-V VMs with Windows Java (qubixctl.cmd) "
              + "to log in with no prompt"));
    }
    String rdp = writeRdpFile(m, endpoint);
    String mstsc = context.host().which("mstsc.exe").map(Path::toString)
        .orElse(onWindows() ? "mstsc.exe" : "/mnt/c/Windows/System32/mstsc.exe");
    try {
      return Optional.of(context.runner().start(Command.of(mstsc, rdp)));
    } catch (QubixException e) {
      throw new QubixException("cannot start mstsc.exe: " + e.getMessage(), e);
    }
  }

  /** Writes the .rdp file into the VM folder; returns its Windows path (what mstsc gets). */
  public String writeRdpFile(MachineManifest m, Endpoint endpoint) {
    String rdp = HyperVPaths.of(m).rdpFile();
    Path local = onWindows() ? Path.of(rdp) : Path.of(WslPaths.toLinux(rdp, HyperVSettings.require(m).wslDistro()).linuxPath());
    RdpClients.writeRdpFile(local, m, endpoint);
    return rdp;
  }

  /**
   * A built image as Windows opens it. Windows Java already holds {@code \\wsl.localhost\…}; Java in
   * WSL holds {@code /nix/store/…} of its own distribution; a plan on plain Linux shows where
   * Windows would read it (the manifest's WSL distribution).
   */
  String windowsPath(MachineManifest m, Optional<Image> image) {
    if (image.isEmpty()) {
      return null;
    }
    String file = image.get().file().toString();
    if (WslPaths.distroOf(file).isPresent() || file.matches("^[A-Za-z]:\\\\.*")) {
      return file;
    }
    String distro = context.host().wsl() ? context.host().getenv("WSL_DISTRO_NAME").orElse(HyperVSettings.require(m).wslDistro())
        : HyperVSettings.require(m).wslDistro();
    return WslPaths.toWindows(distro, file);
  }
}
