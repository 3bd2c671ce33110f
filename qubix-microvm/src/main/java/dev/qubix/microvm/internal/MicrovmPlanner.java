package dev.qubix.microvm.internal;

import dev.qubix.HomeMode;
import dev.qubix.Operation;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a microvm operation does, step by step: pure (it reads the VM folder, never changes it), so
 * plans are golden-tested. The actions it binds to the steps come from {@link Actions}.
 */
final class MicrovmPlanner {
  /** The grace a recreate gives the old guest before QEMU is quit. */
  static final Duration RECREATE_GRACE = Duration.ofSeconds(30);
  /** The grace destroy gives the guest. */
  static final Duration DESTROY_GRACE = Duration.ofSeconds(30);

  /** What the steps do; the backend implements them on the VM's disks and QEMU. */
  interface Actions {
    Action preflight();

    Action stopOld();

    Action clean();

    Action systemDisk();

    Action homeDisk();

    Action secret();

    Action port();

    Action start();

    Action waitRunning();

    /** Starts an existing, stopped VM and waits until it runs (nothing when it already runs). */
    Action startExisting();

    Action stop(Duration grace);

    Action remove(boolean purge);

    /** Refuses, before anything changes, a home operation that would fail: bad names, files, states, space. */
    Action homePreflight(Operation op);

    /** Copies the home disk to the temporary name of backup {@code name} (live through QEMU when it runs). */
    Action copyHome(String name);

    /** Describes backup {@code name} and renames its copy into place. */
    Action keepBackup(String name);

    /** A recreate's backup first: copy, keep, and only the newest {@code keep} before-recreate backups stay. */
    Action backupBeforeRecreate(String name, int keep);

    Action copyBackupToNewHome(String name);

    Action copyFileToNewHome(Path file);

    /** The current home becomes the automatic backup {@code name} (no copy: a second name of the file). */
    Action keepCurrentHome(String name);

    Action switchHome();

    Action exportHome(Path file);

    Action deleteBackup(String name);
  }

  /** The facts of the VM folder a plan depends on, and the time automatic backup names take. */
  /**
   * {@code secretExists}: the VM has the secret file. {@code secretService}: where a VM without one keeps its
   * secret when the Secret Service is used (see {@link VmSecret}); planning never asks the service itself.
   */
  record VmView(VmFiles files, boolean exists, boolean homeExists, boolean secretExists, Optional<Integer> savedPort,
      boolean running, HomeMode homeMode, Optional<String> imageVersion, Instant now, Optional<String> secretService) {
    /** A view where secrets are kept in files. */
    VmView(VmFiles files, boolean exists, boolean homeExists, boolean secretExists, Optional<Integer> savedPort,
        boolean running, HomeMode homeMode, Optional<String> imageVersion, Instant now) {
      this(files, exists, homeExists, secretExists, savedPort, running, homeMode, imageVersion, now, Optional.empty());
    }

    static VmView of(VmFiles f, Optional<Integer> port, boolean running, HomeMode mode, Instant now,
        Optional<String> secretService) {
      boolean exists = Files.exists(f.imageVersion());
      return new VmView(f, exists, Files.exists(f.home()), Files.exists(f.secret()), port, running, mode,
          exists ? Optional.of(VmDisks.read(f.imageVersion())) : Optional.empty(), now, secretService);
    }
  }

  private MicrovmPlanner() {}

  static BackendPlan plan(PlanRequest r, VmView vm, Actions a) {
    MachineManifest m = r.manifest();
    VmFiles f = vm.files();
    BackendPlan.Builder b = BackendPlan.builder();
    switch (r.operation()) {
      case RECREATE -> recreate(b, r, vm, a);
      case START -> b.step("start", "start QEMU for " + m.vmName(), a.startExisting());
      case STOP -> b.step("stop", "ACPI power button, then quit after the grace period"
          + (vm.homeMode() == HomeMode.DISPOSABLE ? "; discard the disposable home overlay " + f.homeOverlay() : ""), a.stop(r.grace()));
      case DESTROY -> b.step("stop", "stop the VM", a.stop(DESTROY_GRACE))
          .step("remove", "remove system disk, pid, socket, serial log; keep " + f.home() + ", its backups and the RDP port",
              a.remove(false));
      case PURGE -> b.step("stop", "stop the VM", a.stop(DESTROY_GRACE))
          .step("remove", "remove " + f.dir() + " with the home disk, its backups and the RDP secret", a.remove(true));
      case HOME_BACKUP, HOME_RESTORE, HOME_DELETE, HOME_EXPORT, HOME_IMPORT -> home(b, r, vm, a);
      case UP -> throw new IllegalArgumentException("UP is decided by the engine");
    }
    return b.build();
  }

  /** Placeholders a plan shown without its argument uses: {@code qubixctl plan home-restore} alone. */
  private static final String SOME_NAME = "NAME";
  private static final Path SOME_FILE = Path.of("FILE");

  private static void home(BackendPlan.Builder b, PlanRequest r, VmView vm, Actions a) {
    VmFiles f = vm.files();
    HomeRequest h = r.home();
    b.preflight(a.homePreflight(r.operation()));
    String keepCurrent = HomeRequest.stamped(HomeRequest.BEFORE_RESTORE, vm.now());
    switch (r.operation()) {
      case HOME_BACKUP -> {
        String name = h.backup().orElse(HomeRequest.stamped("backup-", vm.now()));
        b.step("copy-home", (vm.running() && vm.homeMode() == HomeMode.PERSISTENT
            ? "copy the running VM's home disk as it is at this instant (QEMU blockdev-backup, crash-consistent; "
                + "the guest keeps running)"
            : "copy the used blocks of the home disk " + f.home() + " (qemu-img convert)")
            + " to " + f.backups().resolve(name + ".qcow2.tmp"), a.copyHome(name));
        b.step("keep-backup", "record its time and image version and rename it to " + f.backup(name), a.keepBackup(name));
      }
      case HOME_RESTORE -> {
        String name = h.backup().orElse(SOME_NAME);
        b.step("copy-backup", "copy the backup " + f.backup(name) + " (only read, never changed) to " + f.newHome(),
            a.copyBackupToNewHome(name));
        replaceHome(b, vm, a, keepCurrent);
      }
      case HOME_IMPORT -> {
        Path file = h.file().orElse(SOME_FILE);
        b.step("copy-file", "convert " + file + " (its format checked first, by its extension: qcow2 or vhdx) to "
            + f.newHome(), a.copyFileToNewHome(file));
        replaceHome(b, vm, a, keepCurrent);
      }
      case HOME_EXPORT -> {
        Path file = h.file().orElse(SOME_FILE);
        b.step("export", "convert the home disk " + f.home() + " to " + file + " (qcow2 or vhdx by its extension; written "
            + "under a temporary name and renamed when whole)", a.exportHome(file));
      }
      case HOME_DELETE -> {
        String name = h.backup().orElse(SOME_NAME);
        b.step("delete", "delete the backup " + f.backup(name) + " and its description", a.deleteBackup(name));
      }
      default -> throw new IllegalArgumentException(r.operation() + " is not a home operation");
    }
  }

  private static void replaceHome(BackendPlan.Builder b, VmView vm, Actions a, String keepCurrent) {
    VmFiles f = vm.files();
    b.step("keep-current", vm.homeExists() ? "keep the current home as the backup " + f.backup(keepCurrent)
        + " (a second name of the same file, no copy)" : "no current home to keep", a.keepCurrentHome(keepCurrent));
    b.step("switch-home", "rename " + f.newHome() + " to " + f.home() + " (one rename: the old home or the new, never half)",
        a.switchHome());
  }

  /** The recreate's backup step, when its policy and the image versions call for one. */
  private static void backupBeforeRecreate(BackendPlan.Builder b, ImageSet images, VmView vm, HomeRequest h, Actions a) {
    HomeRequest.BeforeRecreate policy = h.beforeRecreate();
    if (!vm.homeExists() || policy.when() == HomeRequest.BeforeRecreate.When.NEVER) {
      return;
    }
    Optional<String> next = images.get("microvm").map(i -> i.file().toAbsolutePath().toString());
    String why;
    if (policy.when() == HomeRequest.BeforeRecreate.When.ALWAYS) {
      why = "";
    } else if (vm.imageVersion().isEmpty() || next.isEmpty() || next.equals(vm.imageVersion())) {
      // before the build the next image is unknown: the plan that runs (with the built images) decides,
      // and a step shown here might never run (tests crash a recreate before each step they see)
      return;
    } else {
      why = " (the image changes from " + vm.imageVersion().get() + " to " + next.get() + ")";
    }
    String name = HomeRequest.stamped(HomeRequest.BEFORE_RECREATE, vm.now());
    b.step("backup-home", "back up the home disk as " + vm.files().backup(name) + why + ", keeping the newest "
        + policy.keep() + " " + HomeRequest.BEFORE_RECREATE + "* backup" + (policy.keep() == 1 ? "" : "s")
        + " (qemu-img convert, used blocks only)", a.backupBeforeRecreate(name, policy.keep()));
  }

  private static void recreate(BackendPlan.Builder b, PlanRequest r, VmView vm, Actions a) {
    MachineManifest m = r.manifest();
    ImageSet images = r.images();
    VmFiles f = vm.files();
    String image = images.get("microvm").map(i -> i.storePath()).orElse(m.image("microvm")
        .map(ref -> ref.packageName() + " (built by Nix first)").orElse("(no microvm image in the manifest)"));
    b.preflight(a.preflight());
    if (vm.exists()) {
      b.step("stop-old", "stop the running VM (ACPI power button, " + RECREATE_GRACE.toSeconds() + " s grace)"
          + (vm.homeMode() == HomeMode.DISPOSABLE ? "; discard its disposable home overlay" : ""), a.stopOld());
    }
    backupBeforeRecreate(b, images, vm, r.home(), a);
    b.step("clean", "remove stale pid file and QMP socket", a.clean());
    boolean direct = m.image("microvm").map(ref -> ref.format() == ImageFormat.DIRECT).orElse(false);
    b.step("system-disk", (direct ? "boot " + image + " directly (kernel + initrd), no system disk"
        : "new overlay " + f.system() + " over " + image + " (the image is never copied)")
        + "; its store paths become GC roots in " + f.gcroots(), a.systemDisk());
    boolean seed = images.get("home").isPresent() || m.image("home").isPresent();
    if (m.homeDisk().enable() && r.home().mode() == HomeMode.DISPOSABLE) {
      b.step("home-disk", "disposable home: at each start a throwaway overlay " + f.homeOverlay() + " over "
          + (vm.homeExists() ? "the home disk " + f.home() + " (opened read-only, never written)"
              : seed ? "the home image (no home disk is made)" : "a blank " + m.homeDisk().sizeMiB() + " MiB disk (no home disk is made)")
          + ", discarded at stop and destroy", a.homeDisk());
    } else if (m.homeDisk().enable()) {
      b.step("home-disk", (vm.homeExists() ? "keep the home disk " + f.home()
          : "create the home disk " + f.home() + (seed ? " from the home image" : " (blank, " + m.homeDisk().sizeMiB() + " MiB)"))
          + (vm.homeMode() == HomeMode.DISPOSABLE && vm.exists() ? "; the VM switches from a disposable to a persistent home" : ""),
          a.homeDisk());
    }
    b.step("secret", vm.secretExists() ? "keep the VM's RDP secret " + f.secret()
        : vm.secretService().map(s -> "keep the VM's RDP secret in " + s + ", or generate the VM's RDP secret "
            + "(192 random bits) there; in " + f.secret() + " (0600) if the Secret Service fails")
            .orElse("generate the VM's RDP secret (192 random bits) in " + f.secret() + " (0600)"), a.secret());
    b.step("port", "forward 127.0.0.1:" + vm.savedPort().map(String::valueOf).orElse("<free port>")
        + " to the guest's RDP port " + m.rdp().port(), a.port());
    b.step("start", "start QEMU (" + m.cpuCount() + " CPU, " + m.memoryStartup() + ")", a.start());
    b.step("wait-running", "wait until QMP reports running", a.waitRunning());
  }
}
