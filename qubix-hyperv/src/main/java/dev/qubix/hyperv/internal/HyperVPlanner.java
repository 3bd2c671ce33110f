package dev.qubix.hyperv.internal;

import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Step;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.Network;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Plans Hyper-V operations as pure functions of the manifest, the built images and a snapshot of the
 * host ({@link HostState}). Each step names the script that runs it and the parameters it gets (as
 * decoded JSON), so {@code qubixctl plan} shows exactly what would run.
 */
public final class HyperVPlanner {
  public static final String RECREATE_SCRIPT = "recreate.ps1";
  public static final String DESTROY_SCRIPT = "destroy.ps1";
  public static final String POWER_SCRIPT = "power.ps1";
  public static final String STATE_SCRIPT = "state.ps1";
  public static final String GC_SCRIPT = "gc.ps1";
  public static final String HOME_SCRIPT = "home.ps1";
  /** A step that must not run: the plan explains why. */
  public static final String BLOCKED = "blocked";
  /** recreate.ps1's step that gives vmRoot and the VM folder their ACL by SID. */
  public static final String PRIVATE_FOLDERS = "private-folders";
  /** recreate.ps1's and power.ps1's step that hands the VM's RDP secret to the guest over KVP. */
  public static final String RDP_SECRET = "rdp-secret";
  /** recreate.ps1's step that puts a disposable home's overlay in place of the home disk. */
  public static final String HOME_DISPOSABLE = "home-disposable";
  /** recreate.ps1's step that backs the home up before the system disk is replaced. */
  public static final String BACKUP_HOME = "backup-home";
  /** Purge's step that Java performs after destroy.ps1: the secret leaves the credential store. */
  public static final String FORGET_SECRET = "forget-secret";
  /**
   * Where the scripts read the secret: one line on stdin. Never in {@code -Params}, which is an
   * argument (readable in the process list) and shown by {@code plan --json}.
   */
  public static final String SECRET_ON_STDIN = "stdin";
  /** The KVP item's name, which the guest looks up in hv_kvp_daemon's pool 0. */
  public static final String KVP_KEY = "qubix.rdp-password";
  private static final String SECRET_HOME = "kept in Windows Credential Manager, or from WSL in a 0600 file in the "
      + "state directory; made on first create";
  /**
   * The Hyper-V NAT switch every Windows 10 1709+ host has; its subnet changes across reboots. Its
   * name is translated ("Standardswitch", "Przełącznik domyślny"; docker/machine#4429, crc-org/crc#579),
   * so the scripts find it by {@link #DEFAULT_SWITCH_ID} when the manifest names it.
   */
  public static final String DEFAULT_SWITCH = "Default Switch";
  public static final String DEFAULT_SWITCH_ID = "c08cb7b8-9b3c-408e-8e30-5e16a3aeb444";
  /** WSL's own switches: Windows manages them, a static gateway or NetNat must not go there. */
  private static final java.util.regex.Pattern WSL_SWITCH = java.util.regex.Pattern.compile("(?i)WSL( \\(.*\\))?");
  /** How long recreate waits for the VM to report Running. */
  static final int WAIT_RUNNING_SECONDS = 120;
  private static final long GIB = 1L << 30;

  private HyperVPlanner() {}

  /**
   * The switch the VM uses. A static subnet needs a switch Qubix owns (the Default Switch brings its
   * own DHCP subnet), so static mode with the default name means the internal switch {@code <host>-nat}.
   */
  public static String switchName(MachineManifest m) {
    String configured = HyperVSettings.require(m).switchName();
    if (m.network().isStatic() && DEFAULT_SWITCH.equalsIgnoreCase(configured)) {
      return m.hostName() + "-nat";
    }
    return configured;
  }

  /** Whether the scripts look the switch up by the Default Switch's fixed ID rather than by name. */
  public static boolean usesDefaultSwitch(MachineManifest m) {
    return !m.network().isStatic() && DEFAULT_SWITCH.equalsIgnoreCase(HyperVSettings.require(m).switchName());
  }

  /** The parameters of recreate.ps1, {@code steps} included. */
  public static Map<String, Object> recreateParams(MachineManifest m, ImageSet images, String sourceImage,
      String homeImage, List<String> steps) {
    return recreateParams(m, images, sourceImage, homeImage, steps, null, HomeRequest.BeforeRecreate.NEVER);
  }

  /** With the backup before the recreate: its name and policy go to the script only when the step runs. */
  static Map<String, Object> recreateParams(MachineManifest m, ImageSet images, String sourceImage,
      String homeImage, List<String> steps, String backupName, HomeRequest.BeforeRecreate policy) {
    HyperVPaths paths = HyperVPaths.of(m);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", paths.vmRoot());
    p.put("switchName", switchName(m));
    p.put("defaultSwitch", usesDefaultSwitch(m));
    Network n = m.network();
    p.put("network", n.isStatic() ? "static" : "dhcp");
    if (n.isStatic()) {
      p.put("gateway", n.gateway().toString());
      p.put("prefixLength", n.prefixLength());
      p.put("subnet", n.natSwitchSubnet().toString());
    }
    p.put("sourceImage", sourceImage);
    p.put("baseImage", images.get("hyperv").map(paths::baseImage).orElse(paths.imagesDir() + "\\<store hash>.vhdx"));
    p.put("homeDisk", m.homeDisk().enable());
    p.put("homeImage", homeImage);
    if (m.homeDisk().enable()) {
      p.put("homeSizeBytes", m.homeDisk().sizeMiB() << 20);
    }
    HyperVSettings hyperv = HyperVSettings.require(m);
    p.put("generation", hyperv.generation());
    p.put("secureBoot", hyperv.secureBoot());
    p.put("cpuCount", m.cpuCount());
    p.put("memoryStartupBytes", m.memoryStartup().bytes());
    p.put("memoryMinimumBytes", Math.min(GIB, m.memoryStartup().bytes()));
    p.put("maxMemoryBytes", m.maxMemory().bytes());
    p.put("waitSeconds", WAIT_RUNNING_SECONDS);
    p.put("rdpSecret", SECRET_ON_STDIN);
    p.put("steps", List.copyOf(steps));
    if (steps.contains(BACKUP_HOME)) {
      p.put("backupName", backupName);
      p.put("backupWhen", policy.when() == HomeRequest.BeforeRecreate.When.ALWAYS ? "always" : "image-change");
      p.put("backupKeep", policy.keep());
    }
    return p;
  }

  /**
   * Recreate: switch → base image (the old VM keeps running during the one long copy) → remove the
   * old VM → differencing system disk → home disk kept or made once → VM → start → Running.
   * Steps ending in {@code -cached} or {@code -kept} only inform; recreate.ps1 gets the others.
   */
  public static Plan recreate(MachineManifest m, ImageSet images, HostState host, String sourceImage, String homeImage) {
    return recreate(m, images, host, sourceImage, homeImage, HomeRequest.BeforeRecreate.NEVER, null);
  }

  /**
   * As above, with the home backed up before the system disk is replaced when {@code policy} asks:
   * always, or when the image changes (the default). Whether it changes only the host knows (the
   * system disk's parent names the image the VM runs), so the step asks the script to compare; before
   * the build the next image is unknown and no step is shown.
   */
  public static Plan recreate(MachineManifest m, ImageSet images, HostState host, String sourceImage, String homeImage,
      HomeRequest.BeforeRecreate policy, java.time.Instant now) {
    return recreate(m, images, host, sourceImage, homeImage, policy, now, dev.qubix.HomeMode.PERSISTENT);
  }

  /**
   * As above, in {@code mode}: a disposable home is a differencing VHDX over the home disk (Hyper-V
   * opens a differencing disk's parent read-only, so the home is never written), made anew at each
   * start (power.ps1) and deleted at stop and destroy. Without a home disk its parent is a read-only
   * base made once from the home image or blank, and no home disk is made.
   */
  public static Plan recreate(MachineManifest m, ImageSet images, HostState host, String sourceImage, String homeImage,
      HomeRequest.BeforeRecreate policy, java.time.Instant now, dev.qubix.HomeMode mode) {
    requireHyperV(m);
    HyperVPaths paths = HyperVPaths.of(m);
    String sw = switchName(m);
    String check = host.known() ? "" : " (if missing: host not inspected, the script checks)";
    List<String[]> steps = new ArrayList<>();
    Network n = m.network();
    if (!n.isStatic()) {
      steps.add(new String[] {"switch-default", "use the switch '" + sw + "' (NAT and DHCP from Windows)"});
    } else {
      String subnet = n.natSwitchSubnet().toString();
      // a NetNat whose prefix contains the subnet serves it already (Windows allows one NetNat per host)
      boolean ours = host.netNats().stream().anyMatch(x -> contains(x.prefix(), n.natSwitchSubnet()));
      Optional<HostState.NetNat> other = host.netNats().stream().filter(x -> !contains(x.prefix(), n.natSwitchSubnet())).findFirst();
      if (!host.switchExists()) {
        steps.add(new String[] {"switch-create", "create the internal switch '" + sw + "'" + check});
      }
      if (!host.hostIpExists()) {
        steps.add(new String[] {"host-ip", "give the host side of '" + sw + "' the gateway address " + n.gateway() + "/"
            + n.prefixLength() + check});
      }
      if (!ours && other.isPresent()) {
        steps.add(new String[] {BLOCKED, "refuse before changing anything: the NetNat '" + other.get().name() + "' owns " + other.get().prefix()
            + " and Windows allows one NetNat per host; remove it (Remove-NetNat -Name '" + other.get().name()
            + "') or choose a network.natSwitchSubnet inside " + other.get().prefix()});
      } else if (!ours) {
        steps.add(new String[] {"netnat", "create the NetNat '" + sw + "' for " + subnet + check});
      }
    }
    steps.add(new String[] {PRIVATE_FOLDERS, privateFolders(paths)});
    String base = images.get("hyperv").map(paths::baseImage).orElse(paths.imagesDir() + "\\<store hash>.vhdx");
    if (host.baseImageCached()) {
      steps.add(new String[] {"base-image-cached", "base image already cached at " + base + " (no copy)"});
    } else {
      steps.add(new String[] {"base-image", "copy the base image once to " + base + " (read-only, shared by later recreates)"
          + (host.known() ? "" : " unless already cached")});
    }
    if (host.vmExists() || !host.known()) {
      steps.add(new String[] {"remove-old-vm", "turn off and remove the VM " + m.vmName()
          + (host.known() ? "" : " if it exists") + " (its folder and home disk stay)"});
    }
    String backupName = now == null ? null : HomeRequest.stamped(HomeRequest.BEFORE_RECREATE, now);
    if (m.homeDisk().enable() && policy.when() != HomeRequest.BeforeRecreate.When.NEVER && backupName != null
        && images.get("hyperv").isPresent() && (host.homeDiskExists() || !host.known())) {
      steps.add(new String[] {BACKUP_HOME, "back up the home disk as " + paths.backup(backupName)
          + (policy.when() == HomeRequest.BeforeRecreate.When.ALWAYS ? ""
              : " if the image changes to " + images.get("hyperv").get().version() + " (the script compares the parent of the "
                  + "current system disk)")
          + ", keeping the newest " + policy.keep() + " " + HomeRequest.BEFORE_RECREATE + "* backup"
          + (policy.keep() == 1 ? "" : "s") + " (Convert-VHD, used blocks only, the VM off)"});
    }
    steps.add(new String[] {"system-disk", "new differencing system disk " + paths.systemDisk() + " over the base image"});
    boolean seeded = homeImage != null || m.image("home").isPresent();
    if (m.homeDisk().enable() && mode == dev.qubix.HomeMode.DISPOSABLE) {
      String parent = host.homeDiskExists() ? "the home disk " + paths.homeDisk() + " (opened read-only, never written)"
          : (host.known() ? "" : "the home disk " + paths.homeDisk() + " if it exists (opened read-only, never written), else ")
              + "a read-only base " + paths.vmDir() + "\\" + m.vmName() + "-home-base.vhdx made once from "
              + (seeded ? "the home image" : "a blank " + m.homeDisk().sizeMiB() + " MiB disk") + " (no home disk is made)";
      steps.add(new String[] {HOME_DISPOSABLE, "disposable home: a differencing VHDX " + paths.homeOverlay() + " over " + parent
          + ", made anew at each start and deleted at stop and destroy"});
    } else if (m.homeDisk().enable()) {
      if (host.homeDiskExists()) {
        steps.add(new String[] {"home-disk-kept", "keep the home disk " + paths.homeDisk()});
      } else if (homeImage != null || m.image("home").isPresent()) {
        steps.add(new String[] {"home-disk-seed", "create the home disk " + paths.homeDisk() + " from the home image"
            + (host.known() ? "" : " unless it exists (then it is kept)")});
      } else {
        steps.add(new String[] {"home-disk-create", "create a blank home disk " + paths.homeDisk() + " of "
            + m.homeDisk().sizeMiB() + " MiB" + (host.known() ? "" : " unless it exists (then it is kept)")});
      }
    }
    HyperVSettings hyperv = HyperVSettings.require(m);
    steps.add(new String[] {"create-vm", "create the VM " + m.vmName() + ": generation " + hyperv.generation() + ", "
        + m.cpuCount() + " CPU, dynamic memory " + m.memoryStartup() + " up to " + m.maxMemory() + ", Secure Boot "
        + (hyperv.secureBoot() ? "on (template MicrosoftUEFICertificateAuthority)" : "off")
        + ", checkpoints off, shut down with the host, switch '" + sw + "'" + (usesDefaultSwitch(m) ? " (found by its ID)" : "")
        + (!m.homeDisk().enable() ? "" : mode == dev.qubix.HomeMode.DISPOSABLE ? ", the disposable home overlay on SCSI 0:1"
            : ", home disk on SCSI 0:1")});
    steps.add(new String[] {RDP_SECRET, rdpSecret(m)});
    steps.add(new String[] {"start", "start " + m.vmName()});
    steps.add(new String[] {"wait-running", "wait until " + m.vmName() + " is Running (at most " + WAIT_RUNNING_SECONDS + " s)"});

    List<String> runnable = steps.stream().map(s -> s[0]).filter(HyperVPlanner::runs).toList();
    Map<String, Object> params = recreateParams(m, images, sourceImage, homeImage, runnable, backupName, policy);
    return new Plan(Operation.RECREATE, "hyperv", m.name(),
        steps.stream().map(s -> new Step(s[0], s[1], details(RECREATE_SCRIPT, params))).toList());
  }

  /**
   * The ACL by SID (never by name: "Administrators" is "Administratoren" on a German Windows). The
   * VM's own account (NT VIRTUAL MACHINE\<VM GUID>) is not listed: Hyper-V grants it on the files it
   * attaches. Hyper-V's Virtual Machines group ([MS-DTYP] 2.4.2.4: S-1-5-83-0) may read the cached
   * base images, the read-only parents of every differencing disk.
   */
  static String privateFolders(HyperVPaths paths) {
    return "make " + paths.vmRoot() + " and " + paths.vmDir() + " private: an explicit ACL without inheritance, full "
        + "control for SYSTEM (S-1-5-18), Administrators (S-1-5-32-544), Hyper-V Administrators (S-1-5-32-578) and this "
        + "user (by SID); " + paths.imagesDir() + " also readable by Hyper-V's Virtual Machines group (S-1-5-83-0)";
  }

  static String rdpSecret(MachineManifest m) {
    return "hand the VM's RDP secret (" + SECRET_HOME + ") to the guest as the host-to-guest KVP item " + KVP_KEY
        + "; the script reads it on stdin, never as an argument";
  }

  /** Whether the NetNat prefix {@code prefix} (as Get-NetNat reports it) contains {@code subnet}. */
  static boolean contains(String prefix, dev.qubix.manifest.Cidr subnet) {
    return dev.qubix.manifest.Cidr.parse(prefix)
        .map(outer -> outer.prefixLength() <= subnet.prefixLength() && outer.contains(subnet.network()))
        .orElse(false);
  }

  /** The steps that add a host address or a NetNat: only an elevated administrator may run them. */
  public static boolean needsElevation(Plan plan) {
    return plan.steps().stream().anyMatch(s -> s.id().equals("host-ip") || s.id().equals("netnat"));
  }

  private static boolean runs(String stepId) {
    return !stepId.equals(BLOCKED) && !stepId.endsWith("-cached") && !stepId.endsWith("-kept");
  }

  /** Steps Java performs itself, around the script run: no script emits their step lines. */
  public static boolean javaStep(String stepId) {
    return stepId.equals(FORGET_SECRET);
  }

  /**
   * The parameters a plan's script gets: every step of a Hyper-V plan carries them in its details
   * ({@code params}), so {@code qubixctl plan --json} shows exactly what the script would receive.
   */
  public static Map<String, Object> scriptParams(Plan plan) {
    if (plan.steps().isEmpty() || !(plan.steps().get(0).details().get("params") instanceof Map<?, ?> params)) {
      throw new IllegalStateException("a Hyper-V plan without script parameters: " + plan);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  public static Map<String, Object> destroyParams(MachineManifest m, boolean purge) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", HyperVPaths.of(m).vmRoot());
    p.put("purge", purge);
    return p;
  }

  /** Destroy deletes only inside {@code <vmRoot>\<vmName>}; cached base images stay for gc. */
  public static Plan destroy(MachineManifest m, boolean purge) {
    requireHyperV(m);
    Map<String, Object> d = details(DESTROY_SCRIPT, destroyParams(m, purge));
    HyperVPaths paths = HyperVPaths.of(m);
    List<Step> steps = new ArrayList<>();
    steps.add(new Step("remove-vm", "turn off and remove the VM " + m.vmName() + " if it exists", d));
    steps.add(new Step("remove-system-disk", "delete the system disk " + paths.systemDisk() + " and a disposable home's "
        + "overlay " + paths.homeOverlay(), d));
    if (purge) {
      steps.add(new Step("remove-home-disk", "delete the home disk, its backups and everything else in " + paths.vmDir(), d));
      steps.add(new Step(FORGET_SECRET, "delete the VM's RDP secret " + HyperVSecrets.target(m) + " and the TERMSRV "
          + "logins Qubix wrote for it from the credential store", d));
    } else {
      steps.add(new Step("keep-home-disk", "keep the home disk " + paths.homeDisk() + ", its backups in " + paths.backupsDir()
          + " and the VM's RDP secret (purge deletes both; cached base images stay for gc)", d));
    }
    return new Plan(purge ? Operation.PURGE : Operation.DESTROY, "hyperv", m.name(), steps);
  }

  public static Map<String, Object> powerParams(MachineManifest m, String action, long graceSeconds) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", HyperVPaths.of(m).vmRoot());
    p.put("action", action);
    p.put("graceSeconds", graceSeconds);
    if (action.equals("start")) {
      p.put("rdpSecret", SECRET_ON_STDIN);
    }
    return p;
  }

  /** Start or stop (graceful through the Shutdown integration service, turned off after the grace period). */
  public static Plan power(MachineManifest m, Operation op, long graceSeconds) {
    requireHyperV(m);
    String action = op.name().toLowerCase(Locale.ROOT);
    String description = op == Operation.START ? "start " + m.vmName() + " unless it is running (a disposable home first "
        + "gets a fresh differencing overlay " + HyperVPaths.of(m).homeOverlay() + ")"
        : "shut " + m.vmName() + " down, turned off after " + graceSeconds + " s; a disposable home's overlay "
            + HyperVPaths.of(m).homeOverlay() + " is deleted";
    Map<String, Object> d = details(POWER_SCRIPT, powerParams(m, action, graceSeconds));
    List<Step> steps = new ArrayList<>();
    if (op == Operation.START) {
      // a rotated secret reaches the guest at this boot; a VM made before Qubix had secrets gets one now
      steps.add(new Step(RDP_SECRET, rdpSecret(m), d));
    }
    steps.add(new Step(action, description, d));
    return new Plan(op, "hyperv", m.name(), steps);
  }

  /** The parameters of state.ps1, which reads and never changes. */
  public static Map<String, Object> stateParams(MachineManifest m, ImageSet images) {
    HyperVPaths paths = HyperVPaths.of(m);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", paths.vmRoot());
    p.put("switchName", switchName(m));
    p.put("defaultSwitch", usesDefaultSwitch(m));
    p.put("gateway", m.network().isStatic() ? m.network().gateway().toString() : null);
    p.put("baseImage", images.get("hyperv").map(paths::baseImage).orElse(null));
    return p;
  }

  public static Map<String, Object> gcParams(MachineManifest m) {
    return Map.of("vmRoot", HyperVPaths.of(m).vmRoot());
  }

  // ---- homes

  /** Placeholders a plan shown without its argument names: {@code qubixctl plan home-restore} alone. */
  static final String SOME_NAME = "NAME";
  static final String SOME_FILE = "FILE.vhdx";

  /** The parameters of home.ps1 for one action; {@code name}, {@code keepName} and {@code file} only where it reads them. */
  public static Map<String, Object> homeParams(MachineManifest m, String action, String name, String keepName, String file) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("vmName", m.vmName());
    p.put("vmRoot", HyperVPaths.of(m).vmRoot());
    p.put("action", action);
    if (name != null) {
      p.put("name", name);
    }
    if (keepName != null) {
      p.put("keepName", keepName);
    }
    if (file != null) {
      p.put("file", file);
    }
    return p;
  }

  /**
   * A home operation: one home.ps1 run. {@code file} is the Windows path an export writes or an
   * import reads (null: the placeholder); {@code now} names a backup made without a name and the
   * current home a restore or import keeps ({@code before-restore-<time>}).
   */
  public static Plan home(MachineManifest m, Operation op, HomeRequest h, java.time.Instant now, String file) {
    requireHyperV(m);
    HyperVPaths paths = HyperVPaths.of(m);
    String keep = HomeRequest.stamped(HomeRequest.BEFORE_RESTORE, now);
    String name = h.backup().orElse(op == Operation.HOME_BACKUP ? HomeRequest.stamped("backup-", now) : SOME_NAME);
    String target = file != null ? file : SOME_FILE;
    String offline = "; Convert-VHD copies the used blocks of a disk no running VM holds";
    List<String[]> steps = new ArrayList<>();
    Map<String, Object> params;
    switch (op) {
      case HOME_BACKUP -> {
        params = homeParams(m, "backup", name, null, null);
        steps.add(new String[] {"copy-home", "copy the home disk " + paths.homeDisk() + " (the VM off or saved; a running "
            + "VM is refused: stop it first" + offline + ") to " + paths.backupsDir() + "\\.partial\\" + name + ".vhdx"});
        steps.add(new String[] {"keep-backup", "record its time and image version in " + paths.backupsDir() + "\\" + name
            + ".json and rename it to " + paths.backup(name)});
      }
      case HOME_RESTORE -> {
        params = homeParams(m, "restore", name, keep, null);
        steps.add(new String[] {"copy-backup", "copy the backup " + paths.backup(name) + " (only read, never changed) to "
            + paths.newHomeDisk() + " (the VM must be off)"});
        replaceHome(steps, paths, keep);
      }
      case HOME_IMPORT -> {
        params = homeParams(m, "import", null, keep, target);
        steps.add(new String[] {"copy-file", "copy " + target + " (checked first: Test-VHD and Get-VHD, the format its "
            + "extension declares, .vhdx or .vhd, and no differencing disk) to " + paths.newHomeDisk() + " (the VM must be off)"});
        replaceHome(steps, paths, keep);
      }
      case HOME_EXPORT -> {
        params = homeParams(m, "export", null, null, target);
        steps.add(new String[] {"export", "convert the home disk " + paths.homeDisk() + " to " + target + " (vhdx or vhd by "
            + "its extension" + offline + "; written under a temporary name and renamed when whole)"});
      }
      case HOME_DELETE -> {
        params = homeParams(m, "delete", name, null, null);
        steps.add(new String[] {"delete", "delete the backup " + paths.backup(name) + " and its description"});
      }
      default -> throw new IllegalArgumentException(op + " is not a home operation");
    }
    Map<String, Object> d = details(HOME_SCRIPT, params);
    return new Plan(op, "hyperv", m.name(), steps.stream().map(s -> new Step(s[0], s[1], d)).toList());
  }

  private static void replaceHome(List<String[]> steps, HyperVPaths paths, String keep) {
    steps.add(new String[] {"keep-current", "keep the current home, if any, as the backup " + paths.backup(keep)
        + " (a second name of the same file, an NTFS hard link: no copy)"});
    steps.add(new String[] {"switch-home", "replace " + paths.homeDisk() + " with " + paths.newHomeDisk()
        + " in one call (ReplaceFile: the old home or the new, never half)"});
  }

  /** The parameters of home.ps1's list, which reads and changes nothing. */
  public static Map<String, Object> listParams(MachineManifest m) {
    return homeParams(m, "list", null, null, null);
  }

  /** The manifest fields this backend cannot work without, checked before anything runs. */
  public static void requireHyperV(MachineManifest m) {
    List<ManifestException.Violation> broken = HyperVManifestRules.INSTANCE.check(m);
    if (!broken.isEmpty()) {
      // a manifest read without this backend's rules: they still hold before anything runs
      throw new ManifestException(broken);
    }
    if (HyperVSettings.require(m).vmRoot() == null) {
      throw new ManifestException(m.pointer() + "/hyperv/vmRoot", "missing: the folder for Qubix's VMs, e.g. C:\\HyperV\\Qubix");
    }
    if (m.network().isStatic() && WSL_SWITCH.matcher(switchName(m)).matches()) {
      throw new ManifestException(m.pointer() + "/hyperv/switchName", "'" + switchName(m) + "' is WSL's switch, which "
          + "Windows manages: a static network needs its own internal switch, e.g. " + m.hostName() + "-nat");
    }
    if (HyperVPaths.IMAGES.equalsIgnoreCase(m.vmName())) {
      throw new ManifestException(m.pointer() + "/vmName", "'" + m.vmName() + "' is the folder of the cached base "
          + "images under vmRoot: choose another VM name");
    }
  }

  private static Map<String, Object> details(String script, Map<String, Object> params) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("script", script);
    d.put("params", params);
    return d;
  }
}
