package dev.qubix;

import java.util.Locale;
import java.util.Optional;

/** What a {@link Plan} is for. */
public enum Operation {
  /** Fresh system disk from the current image, home disk kept, started. */
  RECREATE,
  /** Create if missing, start if stopped; never rebuilds a live VM. */
  UP,
  START,
  STOP,
  /** Remove the VM, keep the home disk. */
  DESTROY,
  /** Remove the VM and its home disk. */
  PURGE,
  /** Copy the home disk to a named backup beside it (crash-consistent while the VM runs, or refused). */
  HOME_BACKUP,
  /** Replace the home disk of a stopped VM by a backup; the current home is kept as a backup first. */
  HOME_RESTORE,
  /** Remove one backup. */
  HOME_DELETE,
  /** Write the home to a portable file (a disk image for VMs, qcow2 or vhdx; a tar archive for nspawn; by its extension). */
  HOME_EXPORT,
  /** Replace the home disk of a stopped VM by a disk file; the current home is kept as a backup first. */
  HOME_IMPORT;

  /** One of the home operations (backup, restore, delete, export, import). */
  public boolean isHome() {
    return name().startsWith("HOME_");
  }

  /** Its name on the command line: {@code recreate}, {@code home-restore}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The operation a command-line name means ({@code home-restore}, {@code HOME_RESTORE}). */
  public static Optional<Operation> fromCliName(String name) {
    for (Operation o : values()) {
      if (o.cliName().equalsIgnoreCase(name) || o.name().equalsIgnoreCase(name)) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }
}
