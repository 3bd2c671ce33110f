package dev.qubix.microvm.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.ConfigurationException;
import dev.qubix.HomeMode;
import dev.qubix.Operation;
import dev.qubix.QubixException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendPlan.Action;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PlanRequest;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private final HomeDisks homes;
  private final HomeRequest home;

  VmSteps(BackendContext context, QemuTools tools, PlanRequest r, VmFiles f) {
    this.context = context;
    this.tools = tools;
    this.m = r.manifest();
    this.images = r.images();
    this.f = f;
    this.disks = new VmDisks(context, tools, f);
    this.qemu = new QemuProcess(context, tools, f);
    this.homes = new HomeDisks(context, tools, f);
    this.home = r.home();
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
    return () -> {
      qemu.stopIfRunning(m.vmName(), MicrovmPlanner.RECREATE_GRACE);
      disks.discardOverlay();
    };
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
      disks.writeMachine(m, home.mode(), images.get("home"));
      disks.newSystemDisk(image());
    };
  }

  @Override
  public Action homeDisk() {
    return () -> {
      if (home.mode() == HomeMode.PERSISTENT) {
        disks.ensureHome(m, images.get("home"));
      }
    };
  }

  @Override
  public Action secret() {
    return () -> VmSecret.of(context).ensure(f);
  }

  @Override
  public Action port() {
    return () -> context.ports(m.vmName()).ensureRdp();
  }

  @Override
  public Action start() {
    return () -> qemu.launch(m, VmDisks.bootOf(image()), disks.homeDrive(m));
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
      qemu.launch(m, VmDisks.bootOf(disks.recordedImage(m)), disks.homeDrive(m));
      qemu.awaitRunning(m.vmName());
    };
  }

  @Override
  public Action stop(Duration grace) {
    return () -> {
      qemu.stop(m.vmName(), grace);
      disks.discardOverlay();
    };
  }

  @Override
  public Action remove(boolean purge) {
    return () -> disks.remove(m, purge);
  }

  // ---- the home disk

  /** A running VM writes its home disk itself (a disposable one writes only its overlay). */
  private boolean homeInUse() {
    return qemu.running().isPresent() && disks.homeMode() == HomeMode.PERSISTENT;
  }

  private void requireStopped(Operation op) {
    if (qemu.running().isPresent()) {
      throw new ConfigurationException(m.vmName() + " is running: stop it first ('qubixctl stop " + m.name() + "'), then "
          + op.cliName().replace('-', ' '));
    }
  }

  @Override
  public Action homePreflight(Operation op) {
    return () -> {
      String name = home.backup().orElse(null);
      Path file = home.file().orElse(null);
      if (op != Operation.HOME_DELETE) {
        requireQemu();
      }
      switch (op) {
        case HOME_BACKUP -> {
          homes.requireNewName(m.vmName(), name);
          homes.requireHome(m.vmName());
          homes.requireSpace(f.dir(), homes.info(f.home(), "qcow2", "the home disk", homeInUse()).actualSize(), "the backup " + name);
        }
        case HOME_RESTORE -> {
          homes.requireBackup(m.vmName(), name);
          requireStopped(op);
          homes.requireSpace(f.dir(), homes.info(f.backup(name), "qcow2", "the backup").actualSize(), "the restored home");
        }
        case HOME_IMPORT -> {
          String format = HomeDisks.formatOf(file);
          HomeDisks.DiskInfo info = homes.info(file, format, "the file");
          if (info.backingFile().isPresent()) {
            throw new ConfigurationException("the file " + file + " is an overlay over " + info.backingFile().get()
                + ": import a self-contained disk (qemu-img convert it into one first); nothing was changed");
          }
          requireStopped(op);
          homes.requireSpace(f.dir(), Math.max(info.actualSize(), file.toFile().length()), "the imported home");
        }
        case HOME_EXPORT -> {
          String format = HomeDisks.formatOf(file);
          if (Files.exists(file)) {
            throw new ConfigurationException(file + " exists: export writes a new file and never overwrites one; "
                + "choose another name or remove it");
          }
          if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            throw new ConfigurationException("the folder of " + file + " does not exist");
          }
          homes.requireHome(m.vmName());
          if (homeInUse()) {
            throw new ConfigurationException(m.vmName() + " is running and writes its home disk: stop it first, "
                + "or back it up ('qubixctl home backup') and stop it later to export (" + format + ")");
          }
          homes.requireSpace(file.getParent(), homes.info(f.home(), "qcow2", "the home disk").actualSize(), "the export");
        }
        case HOME_DELETE -> homes.requireBackup(m.vmName(), name);
        default -> throw new IllegalArgumentException(op + " is not a home operation");
      }
    };
  }

  @Override
  public Action copyHome(String name) {
    return () -> copyHomeTo(name);
  }

  private void copyHomeTo(String name) {
    if (homeInUse()) {
      homes.dropLeftoverJob();
    }
    homes.backupsFolder();
    String what = "back up the home of " + m.vmName() + " as " + name;
    if (homeInUse()) {
      homes.liveCopy(homes.temporary(name), what);
    } else {
      homes.convert(f.home(), "qcow2", homes.temporary(name), "qcow2", what);
    }
  }

  @Override
  public Action keepBackup(String name) {
    return () -> homes.keep(homes.temporary(name), name, HomeRequest.isAutomatic(name));
  }

  @Override
  public Action backupBeforeRecreate(String name, int keep) {
    return () -> {
      if (!Files.exists(f.home())) {
        return;
      }
      homes.backupsFolder();
      String unused = homes.unused(name);
      homes.convert(f.home(), "qcow2", homes.temporary(unused), "qcow2", "back up the home of " + m.vmName() + " as " + unused);
      homes.keep(homes.temporary(unused), unused, true);
      homes.prune(HomeRequest.BEFORE_RECREATE, keep);
    };
  }

  @Override
  public Action copyBackupToNewHome(String name) {
    return () -> homes.convert(f.backup(name), "qcow2", f.newHome(), "qcow2", "restore the backup " + name + " of " + m.vmName());
  }

  @Override
  public Action copyFileToNewHome(Path file) {
    return () -> homes.convert(file, HomeDisks.formatOf(file), f.newHome(), "qcow2", "import " + file + " as the home of "
        + m.vmName());
  }

  @Override
  public Action keepCurrentHome(String name) {
    return () -> {
      homes.backupsFolder();
      homes.keepCurrent(homes.unused(name));
    };
  }

  @Override
  public Action switchHome() {
    return homes::switchHome;
  }

  @Override
  public Action exportHome(Path file) {
    return () -> {
      Path tmp = file.resolveSibling(file.getFileName() + ".qubix-tmp");
      homes.convert(f.home(), "qcow2", tmp, HomeDisks.formatOf(file), "export the home of " + m.vmName() + " to " + file);
      try {
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (java.io.IOException e) {
        HomeDisks.deleteQuietly(tmp);
        throw new QubixException("cannot rename the export to " + file + ": " + e.getMessage(), e);
      }
    };
  }

  @Override
  public Action deleteBackup(String name) {
    return () -> homes.delete(name);
  }

  private void requireQemu() {
    tools.missing().ifPresent(t -> {
      throw new BackendUnavailableException(t + " not found: install QEMU (apt-get install qemu-system-x86 qemu-utils) or set QUBIX_QEMU");
    });
  }
}
