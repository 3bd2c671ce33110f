package dev.qubix.microvm.internal;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendPlan;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.time.Duration;
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
  }

  /** The facts of the VM folder a plan depends on. */
  record VmView(VmFiles files, boolean exists, boolean homeExists, boolean secretExists, Optional<Integer> savedPort) {
    static VmView of(VmFiles f, Optional<Integer> port) {
      return new VmView(f, Files.exists(f.imageVersion()), Files.exists(f.home()), Files.exists(f.secret()), port);
    }
  }

  private MicrovmPlanner() {}

  static BackendPlan plan(PlanRequest r, VmView vm, Actions a) {
    MachineManifest m = r.manifest();
    VmFiles f = vm.files();
    BackendPlan.Builder b = BackendPlan.builder();
    switch (r.operation()) {
      case RECREATE -> recreate(b, m, r.images(), vm, a);
      case START -> b.step("start", "start QEMU for " + m.vmName(), a.startExisting());
      case STOP -> b.step("stop", "ACPI power button, then quit after the grace period", a.stop(r.grace()));
      case DESTROY -> b.step("stop", "stop the VM", a.stop(DESTROY_GRACE))
          .step("remove", "remove system disk, pid, socket, serial log; keep " + f.home() + " and the RDP port", a.remove(false));
      case PURGE -> b.step("stop", "stop the VM", a.stop(DESTROY_GRACE))
          .step("remove", "remove " + f.dir() + " with the home disk and the RDP secret", a.remove(true));
      case UP -> throw new IllegalArgumentException("UP is decided by the engine");
    }
    return b.build();
  }

  private static void recreate(BackendPlan.Builder b, MachineManifest m, ImageSet images, VmView vm, Actions a) {
    VmFiles f = vm.files();
    String image = images.get("microvm").map(i -> i.storePath()).orElse(m.image("microvm")
        .map(r -> r.packageName() + " (built by Nix first)").orElse("(no microvm image in the manifest)"));
    b.preflight(a.preflight());
    if (vm.exists()) {
      b.step("stop-old", "stop the running VM (ACPI power button, " + RECREATE_GRACE.toSeconds() + " s grace)", a.stopOld());
    }
    b.step("clean", "remove stale pid file and QMP socket", a.clean());
    boolean direct = m.image("microvm").map(r -> r.format() == ImageFormat.DIRECT).orElse(false);
    b.step("system-disk", (direct ? "boot " + image + " directly (kernel + initrd), no system disk"
        : "new overlay " + f.system() + " over " + image + " (the image is never copied)")
        + "; its store paths become GC roots in " + f.gcroots(), a.systemDisk());
    if (m.homeDisk().enable()) {
      b.step("home-disk", vm.homeExists() ? "keep the home disk " + f.home()
          : "create the home disk " + f.home() + (images.get("home").isPresent() || m.image("home").isPresent()
              ? " from the home image" : " (blank, " + m.homeDisk().sizeMiB() + " MiB)"), a.homeDisk());
    }
    b.step("secret", vm.secretExists() ? "keep the VM's RDP secret " + f.secret()
        : "generate the VM's RDP secret (192 random bits) in " + f.secret() + " (0600)", a.secret());
    b.step("port", "forward 127.0.0.1:" + vm.savedPort().map(String::valueOf).orElse("<free port>")
        + " to the guest's RDP port " + m.rdp().port(), a.port());
    b.step("start", "start QEMU (" + m.cpuCount() + " CPU, " + m.memoryStartup() + ")", a.start());
    b.step("wait-running", "wait until QMP reports running", a.waitRunning());
  }
}
