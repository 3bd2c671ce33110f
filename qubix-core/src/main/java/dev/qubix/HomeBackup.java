package dev.qubix;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One backup of a VM's home disk. {@code sizeBytes} is what it takes on the host's disk;
 * {@code imageVersion} the system image the VM ran when it was taken (empty when unknown);
 * {@code automatic} backups are the ones Qubix made itself (before a recreate that changes the
 * image, before a restore or an import).
 */
public record HomeBackup(String name, Instant time, long sizeBytes, Optional<String> imageVersion, boolean automatic) {
  public HomeBackup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(time, "time");
    imageVersion = imageVersion == null ? Optional.empty() : imageVersion;
  }
}
