package dev.qubix.nspawn.internal;

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
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** The actions of one planned operation on one container: each step of {@link NspawnPlanner}'s plan, done. */
final class ContainerSteps implements NspawnPlanner.Actions {
  private final BackendContext context;
  private final NspawnTools tools;
  private final MachineManifest m;
  private final ImageSet images;
  private final ContainerFiles f;
  private final SystemLayer layer;
  private final ContainerProcess process;
  private final HomeFolders homes;
  private final HomeRequest home;

  ContainerSteps(BackendContext context, NspawnTools tools, PlanRequest r, ContainerFiles f) {
    this.context = context;
    this.tools = tools;
    this.m = r.manifest();
    this.images = r.images();
    this.f = f;
    this.layer = new SystemLayer(context, f);
    this.process = new ContainerProcess(context, tools, f);
    this.homes = new HomeFolders(context, f);
    this.home = r.home();
  }

  /** The mode the container was made with: {@code home-mode} says disposable; without it, persistent. */
  static HomeMode homeMode(ContainerFiles f) {
    try {
      return Files.readString(f.homeMode()).strip().equals(HomeMode.DISPOSABLE.word()) ? HomeMode.DISPOSABLE
          : HomeMode.PERSISTENT;
    } catch (IOException e) {
      return HomeMode.PERSISTENT;
    }
  }

  private Image image() {
    return SystemLayer.systemImage(m, images);
  }

  private NspawnArgs.Boot boot() {
    return SystemLayer.bootOf(m, image());
  }

  /** Everything that would fail half-way, refused before the running container is stopped. */
  @Override
  public Action preflight() {
    return () -> {
      requireTools();
      SystemLayer.checkImage(boot());
      layer.checkFolder(m);
      if (process.running().isEmpty()) {
        context.ports(m.vmName()).rdp().ifPresent(port -> context.ports(m.vmName()).requireFree(m.vmName(), port));
      }
    };
  }

  @Override
  public Action stopOld() {
    return () -> process.stopIfRunning(m.vmName(), NspawnPlanner.RECREATE_GRACE);
  }

  @Override
  public Action clean() {
    return () -> {
      context.privateVmDir(m.vmName());
      // a crash can leave a container running that no plan knows about yet: never make a new root under it
      process.stopIfRunning(m.vmName(), NspawnPlanner.RECREATE_GRACE);
      process.clean();
    };
  }

  @Override
  public Action systemLayer() {
    return () -> {
      layer.pinImage(images, image());
      layer.writeMachine(m);
      writeHomeMode();
      layer.newRoot(boot());
    };
  }

  @Override
  public Action home() {
    return () -> {
      layer.checkFolder(m);
      homes.repair();
      if (home.mode() == HomeMode.PERSISTENT) {
        layer.ensureHome(m);
      }
    };
  }

  /** Records the mode the next starts use; only a recreate changes it. */
  private void writeHomeMode() {
    try {
      if (m.homeDisk().enable() && home.mode() == HomeMode.DISPOSABLE) {
        PrivateFiles.writeString(f.homeMode(), HomeMode.DISPOSABLE.word() + "\n");
      } else {
        Files.deleteIfExists(f.homeMode());
      }
    } catch (IOException e) {
      throw new QubixException("cannot write " + f.homeMode() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Action secret() {
    return () -> ContainerSecret.ensure(f);
  }

  @Override
  public Action port() {
    return () -> context.ports(m.vmName()).ensureRdp();
  }

  @Override
  public Action start() {
    return () -> process.launch(m, boot());
  }

  @Override
  public Action waitRunning() {
    return () -> process.awaitRunning(m.vmName());
  }

  @Override
  public Action startExisting() {
    return () -> {
      requireTools();
      if (!Files.exists(f.imageVersion())) {
        throw new QubixException(m.vmName() + " does not exist: create it with recreate or up");
      }
      if (process.running().isPresent()) {
        return;
      }
      NspawnArgs.Boot boot = layer.recordedBoot(m);
      layer.checkFolder(m);
      homes.repair();
      process.clean();
      process.launch(m, boot);
      process.awaitRunning(m.vmName());
    };
  }

  @Override
  public Action stop(Duration grace) {
    return () -> process.stop(m.vmName(), grace);
  }

  @Override
  public Action remove(boolean purge) {
    return () -> layer.remove(m, purge);
  }

  // ---- the home folder

  @Override
  public Action homePreflight(Operation op) {
    return () -> {
      String name = home.backup().orElse(null);
      Path file = home.file().orElse(null);
      if (op != Operation.HOME_DELETE) {
        layer.checkFolder(m);
      }
      // a restore a crash stopped between its two renames is finished first: its old home is already a backup
      if (process.running().isEmpty()) {
        homes.repair();
      }
      switch (op) {
        case HOME_BACKUP -> {
          homes.requireNewName(m.vmName(), name);
          homes.requireHome(m.vmName());
          requireStopped(true, "back up its home folder", "a copy of the files of a running container is not consistent");
          homes.requireSpace(f.dir(), HomeFolders.sizeOf(f.home()), "the backup " + name);
        }
        case HOME_RESTORE -> {
          homes.requireBackup(m.vmName(), name);
          requireStopped(false, "restore its home", "the container runs on the home folder");
          homes.requireSpace(f.dir(), HomeFolders.sizeOf(f.backup(name)), "the restored home");
        }
        case HOME_IMPORT -> {
          HomeArchive.check(file);
          requireStopped(false, "import a home", "the container runs on the home folder");
          homes.requireSpace(f.dir(), 2 * file.toFile().length(), "the imported home");
        }
        case HOME_EXPORT -> {
          HomeFolders.gzipped(file);
          if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigurationException(file + " exists: export writes a new file and never overwrites one; "
                + "choose another name or remove it first");
          }
          if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            throw new ConfigurationException("the folder of " + file + " does not exist: create it, or export elsewhere");
          }
          homes.requireHome(m.vmName());
          requireStopped(true, "export its home folder", "a copy of the files of a running container is not consistent");
          homes.requireSpace(file.getParent(), HomeFolders.sizeOf(f.home()), "the export");
        }
        case HOME_DELETE -> homes.requireBackup(m.vmName(), name);
        default -> throw new IllegalArgumentException(op + " is not a home operation");
      }
    };
  }

  /**
   * A running container in persistent mode writes its home folder; one in disposable mode writes only
   * its overlay, so the folder underneath can be read (a backup then holds the home as before that run),
   * but never replaced under the mounted overlay.
   */
  private void requireStopped(boolean readsOnly, String what, String why) {
    if (process.running().isPresent() && (!readsOnly || homeMode(f) == HomeMode.PERSISTENT)) {
      throw new ConfigurationException(m.vmName() + " is running: stop it first to " + what + " (" + why + ")");
    }
  }

  @Override
  public Action copyHome(String name) {
    return () -> {
      homes.backupsFolder();
      homes.copy(f.home(), f.backupTmp(name), "back up the home of " + m.vmName() + " as " + name);
    };
  }

  @Override
  public Action keepBackup(String name) {
    return () -> homes.keep(f.backupTmp(name), name, HomeRequest.isAutomatic(name));
  }

  @Override
  public Action copyBackupToNewHome(String name) {
    return () -> {
      homes.repair();
      homes.copy(f.backup(name), f.newHomeTmp(), "copy the backup " + name + " of " + m.vmName());
      rename(f.newHomeTmp(), f.newHome());
    };
  }

  @Override
  public Action unpackToNewHome(Path file) {
    return () -> {
      context.privateVmDir(m.vmName());   // a container not created yet gets its home from the archive
      homes.repair();
      homes.unpack(file);
    };
  }

  @Override
  public Action keepCurrentHome(String name) {
    return () -> homes.keepCurrent(homes.unused(name));
  }

  @Override
  public Action switchHome() {
    return homes::switchHome;
  }

  @Override
  public Action exportHome(Path file) {
    return () -> homes.export(file);
  }

  @Override
  public Action deleteBackup(String name) {
    return () -> homes.delete(name);
  }

  @Override
  public Action backupBeforeRecreate(String name, int keep) {
    return () -> {
      if (!Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      homes.backupsFolder();
      String unused = homes.unused(name);
      homes.copy(f.home(), f.backupTmp(unused), "back up the home of " + m.vmName() + " as " + unused);
      homes.keep(f.backupTmp(unused), unused, true);
      homes.prune(HomeRequest.BEFORE_RECREATE, keep);
    };
  }

  private static void rename(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  private void requireTools() {
    tools.missing().ifPresent(t -> {
      throw new BackendUnavailableException(t);
    });
  }
}
