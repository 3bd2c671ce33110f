package dev.qubix.microvm.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.time.Duration;

/** The actions of one planned operation on one VM: each step of {@link MicrovmPlanner}'s plan, done. */
final class VmSteps implements MicrovmPlanner.Actions {
  private final BackendContext context;
  private final QemuTools tools;
  private final MachineManifest m;
  private final ImageSet images;
  private final VmFiles f;
  private final VmDisks disks;
  private final QemuProcess qemu;

  VmSteps(BackendContext context, QemuTools tools, PlanRequest r, VmFiles f) {
    this.context = context;
    this.tools = tools;
    this.m = r.manifest();
    this.images = r.images();
    this.f = f;
    this.disks = new VmDisks(context, tools, f);
    this.qemu = new QemuProcess(context, tools, f);
  }

  private Image image() {
    return VmDisks.systemImage(m, images);
  }

  @Override
  public Action preflight() {
    return () -> {
      requireQemu();
      disks.checkImages(m, image(), images.get("home"));
      if (qemu.running().isEmpty()) {
        context.ports(m.vmName()).rdp().ifPresent(port -> context.ports(m.vmName()).requireFree(m.vmName(), port));
      }
    };
  }

  @Override
  public Action stopOld() {
    return () -> qemu.stopIfRunning(m.vmName(), MicrovmPlanner.RECREATE_GRACE);
  }

  @Override
  public Action clean() {
    return () -> {
      context.privateVmDir(m.vmName());
      qemu.clean();
    };
  }

  @Override
  public Action systemDisk() {
    return () -> {
      disks.pinImages(images, image(), images.get("home"));
      disks.writeMachine(m);
      disks.newSystemDisk(image());
    };
  }

  @Override
  public Action homeDisk() {
    return () -> disks.ensureHome(m, images.get("home"));
  }

  @Override
  public Action secret() {
    return () -> VmSecret.ensure(f);
  }

  @Override
  public Action port() {
    return () -> context.ports(m.vmName()).ensureRdp();
  }

  @Override
  public Action start() {
    return () -> qemu.launch(m, VmDisks.bootOf(image()));
  }

  @Override
  public Action waitRunning() {
    return () -> qemu.awaitRunning(m.vmName());
  }

  @Override
  public Action startExisting() {
    return () -> {
      requireQemu();
      if (!Files.exists(f.imageVersion())) {
        throw new QubixException(m.vmName() + " does not exist: create it with recreate or up");
      }
      if (qemu.running().isPresent()) {
        return;
      }
      qemu.clean();
      qemu.launch(m, VmDisks.bootOf(disks.recordedImage(m)));
      qemu.awaitRunning(m.vmName());
    };
  }

  @Override
  public Action stop(Duration grace) {
    return () -> qemu.stop(m.vmName(), grace);
  }

  @Override
  public Action remove(boolean purge) {
    return () -> disks.remove(m, purge);
  }

  private void requireQemu() {
    tools.missing().ifPresent(t -> {
      throw new BackendUnavailableException(t + " not found: install QEMU (apt-get install qemu-system-x86 qemu-utils) or set QUBIX_QEMU");
    });
  }
}
