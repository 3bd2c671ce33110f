package dev.qubix.internal;

import dev.qubix.LockedException;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One writer per VM across processes: an OS file lock on {@code <stateDir>/locks/<vm>.lock}. The
 * lock covers one byte far past the end of the file, so the holder's description at the start
 * stays readable on Windows too, where locks are mandatory. The OS releases the lock when the
 * holder dies, so a killed process never leaves a VM locked.
 */
public final class ApplianceLock implements AutoCloseable {
  private static final long LOCK_POSITION = 1L << 40;

  private final FileChannel channel;
  private final FileLock lock;

  private ApplianceLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, waiting up to {@code wait}; throws {@link LockedException} naming the holder. */
  public static ApplianceLock acquire(Path stateDir, String vmName, String operation, Duration wait,
      ProgressListener listener) {
    Path file = stateDir.resolve("locks").resolve(vmName + ".lock");
    try {
      PrivateFiles.directories(stateDir, file.getParent());
      FileChannel ch = PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        Optional<FileLock> l = new Await(listener).until("lock on " + vmName, wait, Await.EVERY, () -> tryLock(ch));
        if (l.isEmpty()) {
          String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
          throw new LockedException(vmName + " is being changed by another Qubix process ("
              + (holder.isEmpty() ? "unknown holder" : holder) + "); waited " + wait.toSeconds()
              + " s. Wait for it to finish, or stop that process.", pid(holder));
        }
        describeHolder(ch, operation);
        return new ApplianceLock(ch, l.get());
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new QubixException("cannot lock " + file + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new QubixException("cannot lock " + file + ": " + e.getCause().getMessage(), e);
    }
  }

  private static Optional<FileLock> tryLock(FileChannel ch) {
    try {
      return Optional.ofNullable(ch.tryLock(LOCK_POSITION, 1, false));
    } catch (OverlappingFileLockException e) {
      return Optional.empty(); // another thread of this JVM holds it: wait like any other process would
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void describeHolder(FileChannel ch, String operation) throws IOException {
    String text = "pid " + ProcessHandle.current().pid() + ", " + operation + " since " + Instant.now();
    ch.truncate(0);
    ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    ch.force(false);
  }

  private static long pid(String holder) {
    if (holder.startsWith("pid ")) {
      int end = holder.indexOf(',');
      try {
        return Long.parseLong(holder.substring(4, end < 0 ? holder.length() : end));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
      channel.close();
    } catch (IOException e) {
      // closing the channel releases the lock in any case
    }
  }
}
