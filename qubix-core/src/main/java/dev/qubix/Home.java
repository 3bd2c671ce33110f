package dev.qubix;

import dev.qubix.internal.Engine;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.ImageSet;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * A VM's home disk, the one thing in it the user owns: named backups beside it (kept by destroy,
 * removed by a purge), restore, export to a portable file and import from one. Every change takes
 * the VM's lock and reports its progress; restore and import need the VM stopped and first keep the
 * current home as an automatic backup {@code before-restore-<time>}. Bad input (an unknown or
 * invalid backup name, a file that is not a disk image) is refused before anything changes.
 */
public final class Home {
  private final Engine engine;
  private final MachineManifest manifest;
  private final Clock clock;

  Home(Engine engine, MachineManifest manifest, Clock clock) {
    this.engine = engine;
    this.manifest = manifest;
    this.clock = clock;
  }

  /** The backups, oldest first. */
  public List<HomeBackup> list() {
    return engine.homeBackups(manifest);
  }

  /** A backup named {@code backup-<time>} (UTC, to the second). */
  public HomeBackup backup() {
    String base = HomeRequest.stamped("backup-", clock.instant());
    List<String> taken = list().stream().map(HomeBackup::name).toList();
    String name = base;
    for (int i = 2; taken.contains(name); i++) {
      name = base + "-" + i;
    }
    return backup(name);
  }

  /**
   * Copies the home disk to the backup {@code name} (letters, digits, '.', '_', '-'). A running VM's
   * home is copied crash-consistently by the hypervisor (on QEMU a point-in-time block job), never
   * torn; a backend that cannot do that refuses and says to stop the VM first. A failed copy leaves
   * no backup behind.
   */
  public HomeBackup backup(String name) {
    HomeRequest.requireValidName(name);
    engine.home(Operation.HOME_BACKUP, manifest, HomeRequest.backup(name));
    return list().stream().filter(b -> b.name().equals(name)).findFirst()
        .orElseThrow(() -> new QubixException("the backup " + name + " was made but is not listed"));
  }

  /** Replaces the home disk of the stopped VM by the backup {@code name}; the backup itself is never changed. */
  public void restore(String name) {
    engine.home(Operation.HOME_RESTORE, manifest, HomeRequest.backup(Objects.requireNonNull(name, "name")));
  }

  /** Removes the backup {@code name}. */
  public void delete(String name) {
    engine.home(Operation.HOME_DELETE, manifest, HomeRequest.backup(Objects.requireNonNull(name, "name")));
  }

  /**
   * Writes the home to {@code file}, a new file: a disk image for a VM ({@code .qcow2} or {@code .vhdx};
   * Hyper-V also {@code .vhd}), a tar archive for an nspawn home folder ({@code .tar}, {@code .tar.gz}).
   */
  public void exportTo(Path file) {
    engine.home(Operation.HOME_EXPORT, manifest, HomeRequest.file(file));
  }

  /**
   * Replaces the home of the stopped VM by {@code file}: a disk image for a VM ({@code .qcow2} or
   * {@code .vhdx}), a tar archive for an nspawn home folder; checked against its format before
   * anything changes.
   */
  public void importFrom(Path file) {
    engine.home(Operation.HOME_IMPORT, manifest, HomeRequest.file(file));
  }

  /**
   * What a home operation would do; {@code argument} is the backup name (backup, restore, delete) or
   * the file (export, import), null for an automatic name.
   */
  public Plan plan(Operation op, String argument) {
    if (!op.isHome()) {
      throw new IllegalArgumentException(op + " is not a home operation");
    }
    HomeRequest h = argument == null ? HomeRequest.NONE
        : op == Operation.HOME_EXPORT || op == Operation.HOME_IMPORT ? HomeRequest.file(Path.of(argument))
        : HomeRequest.backup(argument);
    return engine.plan(op, manifest, ImageSet.empty(), h);
  }
}
