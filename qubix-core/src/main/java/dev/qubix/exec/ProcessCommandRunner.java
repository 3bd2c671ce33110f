package dev.qubix.exec;

import dev.qubix.CommandFailedException;
import dev.qubix.OperationTimeoutException;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs local processes: stdout and stderr drained by two threads (a full pipe would block the
 * child), every line streamed to slf4j and the listener, and on timeout the whole process tree
 * killed — descendants are captured before the parent dies, since an orphan is reparented and
 * can no longer be found from it.
 */
public final class ProcessCommandRunner implements CommandRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandRunner.class);
  /** Output kept per stream; nix's --json and QEMU's messages are far below this. */
  private static final int MAX_CAPTURE = 16 * 1024 * 1024;
  private static final int ERROR_TAIL = 40;

  private final ProgressListener listener;

  public ProcessCommandRunner(ProgressListener listener) {
    this.listener = listener;
  }

  @Override
  public Process start(Command command) {
    LOG.debug("start {}", command.argv());
    Process process = launch(command);
    String source = programName(command.program());
    new Drain(process.getInputStream(), command.stdoutLines(), source, ProgressEvent.Log.Level.DEBUG).start();
    new Drain(process.getErrorStream(), command.stderrLines(), source, ProgressEvent.Log.Level.INFO).start();
    if (command.stdin() != null) {
      writeStdin(process, command.stdin());
    }
    return process;
  }

  private static Process launch(Command command) {
    ProcessBuilder pb = new ProcessBuilder(command.argv());
    if (command.workDir() != null) {
      pb.directory(command.workDir().toFile());
    }
    pb.environment().putAll(command.environment());
    if (command.stdin() == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    }
    try {
      return pb.start();
    } catch (IOException e) {
      throw new QubixException("cannot start " + command.program() + ": " + e.getMessage()
          + " (is it installed and on PATH?)", e);
    }
  }

  @Override
  public CommandResult run(Command command) {
    long start = System.nanoTime();
    LOG.debug("run {}", command.argv());
    Process process = launch(command);
    String source = programName(command.program());
    Drain out = new Drain(process.getInputStream(), command.stdoutLines(), source, ProgressEvent.Log.Level.DEBUG);
    Drain err = new Drain(process.getErrorStream(), command.stderrLines(), source, ProgressEvent.Log.Level.INFO);
    out.start();
    err.start();
    if (command.stdin() != null) {
      writeStdin(process, command.stdin());
    }
    boolean finished;
    try {
      finished = process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new QubixException("interrupted while running " + command.program(), e);
    }
    if (!finished) {
      killTree(process);
      out.await();
      err.await();
      throw new OperationTimeoutException(command.program() + " did not finish within "
          + command.timeout().toSeconds() + " s and was killed with its child processes"
          + tailSuffix(err.text()));
    }
    out.await();
    err.await();
    CommandResult result = new CommandResult(command.argv(), process.exitValue(), out.text(), err.text(),
        Duration.ofNanos(System.nanoTime() - start));
    if (command.checkExitCode() && !result.ok()) {
      List<String> tail = result.stderrTail(ERROR_TAIL);
      if (tail.isEmpty()) {
        tail = Tails.last(result.stdoutLines(), ERROR_TAIL);
      }
      throw new CommandFailedException(command.argv(), result.exitCode(), tail);
    }
    return result;
  }

  /** Kills a process and every descendant it has right now; children first would let the parent respawn. */
  public static void killTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>();
    process.toHandle().descendants().forEach(tree::add);
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tailSuffix(String stderr) {
    List<String> tail = Tails.last(Tails.lines(stderr), 10);
    return tail.isEmpty() ? "" : ":\n  " + String.join("\n  ", tail);
  }

  private static void writeStdin(Process process, String stdin) {
    try (OutputStream os = process.getOutputStream()) {
      os.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debug("stdin closed early: {}", e.getMessage());
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static String programName(String program) {
    String p = program.replace('\\', '/');
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** Reads one stream line by line on its own thread. */
  private final class Drain extends Thread {
    private final InputStream in;
    private final Consumer<String> lines;
    private final String source;
    private final ProgressEvent.Log.Level level;
    private final StringBuilder text = new StringBuilder();

    Drain(InputStream in, Consumer<String> lines, String source, ProgressEvent.Log.Level level) {
      super("qubix-drain-" + source);
      setDaemon(true);
      this.in = in;
      this.lines = lines;
      this.source = source;
      this.level = level;
    }

    @Override
    public void run() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          String l = Tails.stripCr(line);
          synchronized (text) {
            if (text.length() < MAX_CAPTURE) {
              text.append(l).append('\n');
            }
          }
          LOG.debug("[{}] {}", source, l);
          ProgressListener.safely(listener, new ProgressEvent.Log(level, source, l));
          try {
            lines.accept(l);
          } catch (RuntimeException e) {
            LOG.warn("line handler for {} failed: {}", source, e.toString());
          }
        }
      } catch (IOException e) {
        // the stream closes when the process is killed; what was read is kept
      }
    }

    void await() {
      try {
        join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }
  }
}
