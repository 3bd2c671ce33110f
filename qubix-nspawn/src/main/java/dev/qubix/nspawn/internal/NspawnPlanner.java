package dev.qubix.nspawn.internal;

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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What an nspawn operation does, step by step: pure (it reads the container folder, never changes
 * it), so plans are golden-tested. The actions it binds to the steps come from {@link Actions}.
 */
final class NspawnPlanner {
  /** The grace a recreate gives the old container before it is forced. */
  static final Duration RECREATE_GRACE = Duration.ofSeconds(30);
  /** The grace destroy gives the container. */
  static final Duration DESTROY_GRACE = Duration.ofSeconds(30);

  /** What the steps do; {@link ContainerSteps} implements them on the container's files and processes. */
  interface Actions {
    Action preflight();

    Action stopOld();

    Action clean();

    Action systemLayer();

    Action home();

    Action secret();

    Action port();

    Action start();

    Action waitRunning();

    /** Starts an existing, stopped container and waits until its init runs (nothing when it runs). */
    Action startExisting();

    Action stop(Duration grace);

    Action remove(boolean purge);

    /** Refuses, before anything changes, a home operation that would fail: bad names, archives, states, space. */
    Action homePreflight(Operation op);

    /** Copies the home folder to the temporary name of backup {@code name}. */
    Action copyHome(String name);

    /** Describes the whole copy and renames it to backup {@code name}. */
    Action keepBackup(String name);

    Action copyBackupToNewHome(String name);

    Action unpackToNewHome(Path file);

    /** The current home becomes the automatic backup {@code name} (a rename, no copy). */
    Action keepCurrentHome(String name);

    Action switchHome();

    Action exportHome(Path file);

    Action deleteBackup(String name);

    /** The recreate's automatic backup {@code name}, then the older ones beyond {@code keep} go. */
    Action backupBeforeRecreate(String name, int keep);
  }

  /** The facts of the container folder a plan depends on. */
  record ContainerView(ContainerFiles files, boolean exists, boolean homeExists, boolean secretExists,
      Optional<Integer> savedPort, boolean registered, boolean running, HomeMode homeMode, Optional<String> imageVersion,
      Instant now) {
    ContainerView(ContainerFiles files, boolean exists, boolean homeExists, boolean secretExists,
        Optional<Integer> savedPort, boolean registered) {
      this(files, exists, homeExists, secretExists, savedPort, registered, false, HomeMode.PERSISTENT, Optional.empty(),
          Instant.EPOCH);
    }

    static ContainerView of(ContainerFiles f, Optional<Integer> port, boolean registered, boolean running, Instant now) {
      return new ContainerView(f, Files.exists(f.imageVersion()), Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS),
          Files.exists(f.secret()), port, registered, running, ContainerSteps.homeMode(f), HomeFolders.imageVersion(f), now);
    }
  }

  /** Placeholders a plan shown without its argument uses: {@code qubixctl plan home-restore} alone. */
  private static final String SOME_NAME = "NAME";
  private static final Path SOME_FILE = Path.of("FILE");

  private NspawnPlanner() {}

  static BackendPlan plan(PlanRequest r, ContainerView c, Actions a) {
    MachineManifest m = r.manifest();
    ContainerFiles f = c.files();
    BackendPlan.Builder b = BackendPlan.builder();
    switch (r.operation()) {
      case RECREATE -> recreate(b, r, c, a);
      case START -> b.step("start", "start the container " + f.name() + " of " + m.vmName(), a.startExisting());
      case STOP -> b.step("stop", "SIGTERM to systemd-nspawn (the container's init shuts down), forced after "
          + r.grace().toSeconds() + " s" + (c.homeMode() == HomeMode.DISPOSABLE ? "; discard the disposable home overlay "
          + f.homeOverlay() : ""), a.stop(r.grace()));
      case DESTROY -> b.step("stop", "stop the container", a.stop(DESTROY_GRACE))
          .step("remove", "remove the system layer " + f.root() + ", pid files, console log; keep " + f.home()
              + ", its backups and the RDP port", a.remove(false));
      case PURGE -> b.step("stop", "stop the container", a.stop(DESTROY_GRACE))
          .step("remove", "remove " + f.dir() + " with the home folder, its backups and the RDP secret", a.remove(true));
      case HOME_BACKUP, HOME_RESTORE, HOME_DELETE, HOME_EXPORT, HOME_IMPORT -> home(b, r, c, a);
      case UP -> throw new IllegalArgumentException("UP is decided by the engine");
    }
    return b.build();
  }

  private static void home(BackendPlan.Builder b, PlanRequest r, ContainerView c, Actions a) {
    ContainerFiles f = c.files();
    HomeRequest h = r.home();
    b.preflight(a.homePreflight(r.operation()));
    String keepCurrent = HomeRequest.stamped(HomeRequest.BEFORE_RESTORE, c.now());
    switch (r.operation()) {
      case HOME_BACKUP -> {
        String name = h.backup().orElse(HomeRequest.stamped("backup-", c.now()));
        b.step("copy-home", "copy the home folder " + f.home() + " (stopped: a copy of a running container's files is not "
            + "consistent) to " + f.backupTmp(name) + " (cp -a, reflinked where the file system can)", a.copyHome(name));
        b.step("keep-backup", "record its time, size and image version and rename it to " + f.backup(name), a.keepBackup(name));
      }
      case HOME_RESTORE -> {
        String name = h.backup().orElse(SOME_NAME);
        b.step("copy-backup", "copy the backup " + f.backup(name) + " (only read, never changed) to " + f.newHomeTmp()
            + " (cp -a, reflinked where the file system can), renamed to " + f.newHome() + " when whole",
            a.copyBackupToNewHome(name));
        replaceHome(b, c, a, keepCurrent);
      }
      case HOME_IMPORT -> {
        Path file = h.file().orElse(SOME_FILE);
        b.step("unpack-file", "unpack the tar archive " + file + " (checked first: relative names, no '..', no link "
            + "leaving the home, no device) to " + f.newHomeTmp() + ", renamed to " + f.newHome() + " when whole",
            a.unpackToNewHome(file));
        replaceHome(b, c, a, keepCurrent);
      }
      case HOME_EXPORT -> {
        Path file = h.file().orElse(SOME_FILE);
        b.step("export", "archive the home folder " + f.home() + " as " + file + " (tar, gzip for .tar.gz/.tgz, numeric "
            + "owners; written under a temporary name and renamed when whole)", a.exportHome(file));
      }
      case HOME_DELETE -> {
        String name = h.backup().orElse(SOME_NAME);
        b.step("delete", "delete the backup " + f.backup(name) + " and its description", a.deleteBackup(name));
      }
      default -> throw new IllegalArgumentException(r.operation() + " is not a home operation");
    }
  }

  private static void replaceHome(BackendPlan.Builder b, ContainerView c, Actions a, String keepCurrent) {
    ContainerFiles f = c.files();
    b.step("keep-current", c.homeExists() ? "keep the current home as the backup " + f.backup(keepCurrent)
        + " (a rename, no copy)" : "no current home to keep", a.keepCurrentHome(keepCurrent));
    b.step("switch-home", "rename " + f.newHome() + " to " + f.home() + " (a crash between these two renames is finished "
        + "by the next recreate or start)", a.switchHome());
  }

  /** The recreate's backup step, when its policy and the image versions call for one (microvm's policy). */
  private static void backupBeforeRecreate(BackendPlan.Builder b, ImageSet images, ContainerView c, HomeRequest h,
      Actions a) {
    HomeRequest.BeforeRecreate policy = h.beforeRecreate();
    if (!c.homeExists() || policy.when() == HomeRequest.BeforeRecreate.When.NEVER) {
      return;
    }
    Optional<String> next = images.get(SystemLayer.IMAGE_KEY).map(i -> i.file().toAbsolutePath().toString());
    String why;
    if (policy.when() == HomeRequest.BeforeRecreate.When.ALWAYS) {
      why = "";
    } else if (c.imageVersion().isEmpty() || next.isEmpty() || next.equals(c.imageVersion())) {
      // before the build the next image is unknown: the plan that runs (with the built images) decides
      return;
    } else {
      why = " (the image changes from " + c.imageVersion().get() + " to " + next.get() + ")";
    }
    String name = HomeRequest.stamped(HomeRequest.BEFORE_RECREATE, c.now());
    b.step("backup-home", "back up the home folder as " + c.files().backup(name) + why + ", keeping the newest "
        + policy.keep() + " " + HomeRequest.BEFORE_RECREATE + "* backup" + (policy.keep() == 1 ? "" : "s")
        + " (cp -a, reflinked where the file system can)", a.backupBeforeRecreate(name, policy.keep()));
  }

  private static void recreate(BackendPlan.Builder b, PlanRequest r, ContainerView c, Actions a) {
    MachineManifest m = r.manifest();
    ImageSet images = r.images();
    ContainerFiles f = c.files();
    Optional<ImageFormat> format = images.get(SystemLayer.IMAGE_KEY).map(i -> i.format())
        .or(() -> m.image(SystemLayer.IMAGE_KEY).map(i -> i.format()));
    String image = images.get(SystemLayer.IMAGE_KEY).map(i -> i.storePath()).orElse(m.image(SystemLayer.IMAGE_KEY)
        .map(i -> i.packageName() + " (built by Nix first)").orElse("(no nspawn image in the manifest)"));
    b.preflight(a.preflight());
    if (c.exists()) {
      b.step("stop-old", "stop the running container (" + RECREATE_GRACE.toSeconds() + " s grace)"
          + (c.homeMode() == HomeMode.DISPOSABLE ? "; discard its disposable home overlay" : ""), a.stopOld());
    }
    backupBeforeRecreate(b, images, c, r.home(), a);
    b.step("clean", "stop a container a crash left running; remove stale pid files, slirp4netns and the network namespace "
        + f.netns(), a.clean());
    b.step("system-layer", (format.orElse(ImageFormat.ROOTFS) == ImageFormat.NIXOS_SYSTEM
        ? "new empty root " + f.root() + " for the NixOS system " + image + " (its init boots with /nix/store read-only)"
        : "new root " + f.root() + ": a copy of the rootfs " + image + " (reflinked where the file system can; the image is never written)")
        + "; the image becomes a GC root in " + f.gcroots(), a.systemLayer());
    if (m.homeDisk().enable() && r.home().mode() == HomeMode.DISPOSABLE) {
      b.step("home", "disposable home: at each start a throwaway overlay " + f.homeOverlay() + " over "
          + (c.homeExists() ? "the home folder " + f.home() + " (its lower layer, never written)"
              : "an empty folder (no home folder is made)") + " at /home, discarded at stop and destroy", a.home());
    } else if (m.homeDisk().enable()) {
      b.step("home", (c.homeExists() ? "keep the home folder " : "create the home folder ") + f.home()
          + " (bound at /home)" + (c.homeMode() == HomeMode.DISPOSABLE && c.exists()
              ? "; the container switches from a disposable to a persistent home" : ""), a.home());
    }
    b.step("secret", c.secretExists() ? "keep the container's RDP secret " + f.secret()
        : "generate the container's RDP secret (192 random bits) in " + f.secret() + " (0600)", a.secret());
    b.step("port", "forward 127.0.0.1:" + c.savedPort().map(String::valueOf).orElse("<free port>")
        + " to the container's port " + m.rdp().port() + " (slirp4netns)", a.port());
    b.step("start", "start systemd-nspawn " + (c.registered() ? "(registered with machined)" : "--register=no --keep-unit")
        + " in its own network namespace, detached", a.start());
    b.step("wait-running", "wait until the container's init runs", a.waitRunning());
  }
}
