package dev.qubix.junit.internal;

import dev.qubix.junit.GuestConsole;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows a VM's console log from an offset (where this boot began) on a daemon thread: keeps
 * the lines for waits and failure reports and hands each to the log consumers.
 */
public final class ConsoleTail implements GuestConsole, AutoCloseable {
  private static final int KEEP = 10_000;
  private final Path file;
  private final String source;
  private final List<Consumer<String>> consumers;
  private final ArrayDeque<String> lines = new ArrayDeque<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean closed;
  private long offset;
  private Thread thread;

  private ConsoleTail(Path file, String source, long offset, List<Consumer<String>> consumers) {
    this.file = file;
    this.source = source;
    this.offset = offset;
    this.consumers = List.copyOf(consumers);
  }

  /** No console: waits on it time out, reports say why. */
  public static ConsoleTail none(String why) {
    return new ConsoleTail(null, why, 0, List.of());
  }

  /** Follows {@code file} from {@code offset}; a file that gets shorter was rotated: read it from the start. */
  public static ConsoleTail follow(Path file, long offset, List<Consumer<String>> consumers) {
    ConsoleTail t = new ConsoleTail(file, file.toString(), offset, consumers);
    t.thread = new Thread(t::run, "qubix-console " + file.getParent().getFileName());
    t.thread.setDaemon(true);
    t.thread.start();
    return t;
  }

  /** The current size of {@code file}: where the next boot's lines will begin. */
  public static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private void run() {
    while (!closed) {
      poll();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Reads what is new; also called once more on close so the last lines are never lost. */
  synchronized void poll() {
    try {
      if (file == null || !Files.exists(file)) {
        return;
      }
      long size = Files.size(file);
      if (size < offset) {
        offset = 0;
      }
      if (size == offset) {
        return;
      }
      try (FileChannel ch = FileChannel.open(file)) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
        int n = ch.read(buf, offset);
        if (n <= 0) {
          return;
        }
        offset += n;
        partial.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
      }
      int nl;
      while ((nl = partial.indexOf("\n")) >= 0) {
        String line = partial.substring(0, nl).replace("\r", "");
        partial.delete(0, nl + 1);
        lines.addLast(line);
        if (lines.size() > KEEP) {
          lines.removeFirst();
        }
        for (Consumer<String> c : consumers) {
          try {
            c.accept(line);
          } catch (RuntimeException e) {
            // a failing consumer must not stop the console for the waits and the others
          }
        }
      }
    } catch (IOException e) {
      // the VM folder went away (destroyed): nothing more to read
    }
  }

  @Override
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
    poll();
  }
}
