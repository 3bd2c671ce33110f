package dev.qubix.release.internal;

import dev.qubix.release.DiskFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Disk-full detection: before a download when its size is known, and from the write error otherwise. */
final class DiskSpace {
  private DiskSpace() {}

  /** Refuses to start writing {@code bytes} more into {@code dir} when the disk has less room than that. */
  static void require(Path dir, long bytes, String what) {
    if (bytes <= 0) {
      return;
    }
    try {
      long usable = Files.getFileStore(dir).getUsableSpace();
      if (usable < bytes) {
        throw new DiskFullException(what + " needs " + bytes + " bytes but only " + usable + " are free in " + dir
            + ": free some space (e.g. 'qubixctl gc', or remove old releases from " + dir.getParent() + ") and try again");
      }
    } catch (IOException e) {
      // no answer about free space: the write itself will say
    }
  }

  /** Whether a write failed because the disk is full (ENOSPC on Unix, ERROR_DISK_FULL on Windows). */
  static boolean isFull(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left on device") || m.contains("not enough space on the disk")
        || m.contains("Disk quota exceeded");
  }

  static DiskFullException full(Path file, IOException e) {
    return new DiskFullException("the disk filled while writing " + file + " (" + e.getMessage() + "): nothing "
        + "half-written is used; free some space and run the same command again (the download resumes)", e);
  }
}
