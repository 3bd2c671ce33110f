package dev.qubix.nspawn.internal;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
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
  }

  /** The facts of the container folder a plan depends on. */
  record ContainerView(ContainerFiles files, boolean exists, boolean homeExists, boolean secretExists,
      Optional<Integer> savedPort, boolean registered) {
    static ContainerView of(ContainerFiles f, Optional<Integer> port, boolean registered) {
      return new ContainerView(f, Files.exists(f.imageVersion()), Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS),
          Files.exists(f.secret()), port, registered);
    }
  }

  private NspawnPlanner() {}

  static BackendPlan plan(PlanRequest r, ContainerView c, Actions a) {
    MachineManifest m = r.manifest();
    ContainerFiles f = c.files();
    BackendPlan.Builder b = BackendPlan.builder();
    switch (r.operation()) {
      case RECREATE -> recreate(b, m, r.images(), c, a);
      case START -> b.step("start", "start the container " + f.name() + " of " + m.vmName(), a.startExisting());
      case STOP -> b.step("stop", "SIGTERM to systemd-nspawn (the container's init shuts down), forced after "
          + r.grace().toSeconds() + " s", a.stop(r.grace()));
      case DESTROY -> b.step("stop", "stop the container", a.stop(DESTROY_GRACE))
          .step("remove", "remove the system layer " + f.root() + ", pid files, console log; keep " + f.home()
              + " and the RDP port", a.remove(false));
      case PURGE -> b.step("stop", "stop the container", a.stop(DESTROY_GRACE))
          .step("remove", "remove " + f.dir() + " with the home folder and the RDP secret", a.remove(true));
      case UP -> throw new IllegalArgumentException("UP is decided by the engine");
    }
    return b.build();
  }

  private static void recreate(BackendPlan.Builder b, MachineManifest m, ImageSet images, ContainerView c, Actions a) {
    ContainerFiles f = c.files();
    Optional<ImageFormat> format = images.get(SystemLayer.IMAGE_KEY).map(i -> i.format())
        .or(() -> m.image(SystemLayer.IMAGE_KEY).map(i -> i.format()));
    String image = images.get(SystemLayer.IMAGE_KEY).map(i -> i.storePath()).orElse(m.image(SystemLayer.IMAGE_KEY)
        .map(i -> i.packageName() + " (built by Nix first)").orElse("(no nspawn image in the manifest)"));
    b.preflight(a.preflight());
    if (c.exists()) {
      b.step("stop-old", "stop the running container (" + RECREATE_GRACE.toSeconds() + " s grace)", a.stopOld());
    }
    b.step("clean", "stop a container a crash left running; remove stale pid files, slirp4netns and the network namespace "
        + f.netns(), a.clean());
    b.step("system-layer", (format.orElse(ImageFormat.ROOTFS) == ImageFormat.NIXOS_SYSTEM
        ? "new empty root " + f.root() + " for the NixOS system " + image + " (its init boots with /nix/store read-only)"
        : "new root " + f.root() + ": a copy of the rootfs " + image + " (reflinked where the file system can; the image is never written)")
        + "; the image becomes a GC root in " + f.gcroots(), a.systemLayer());
    if (m.homeDisk().enable()) {
      b.step("home", (c.homeExists() ? "keep the home folder " : "create the home folder ") + f.home()
          + " (bound at /home)", a.home());
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
