package dev.qubix.nspawn.internal;

import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.PrivateFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a program that outlives the JVM, as QEMU's {@code -daemonize} does for microvm: in its own
 * session (a Ctrl-C in the user's terminal does not reach it), stdin from /dev/null, its output
 * appended to a log file (never a pipe to this JVM, which would break when the JVM exits), files it
 * makes 0600. The short-lived shell that starts it goes through the runner like every program.
 */
final class Detached {
  /**
   * {@code setsid} execs the program in place (its caller, a background job of a non-interactive
   * shell, is not a process group leader), so {@code $!} is the program's own pid.
   */
  private static final String SCRIPT = "umask " + PrivateFiles.CHILD_UMASK
      + "; log=$1; shift; setsid \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!";

  private Detached() {}

  /**
   * Starts {@code argv} and returns its pid once that pid runs the program: until the background
   * shell has exec'd it, the pid is still the shell's, and a pid file read then would name the wrong
   * program.
   */
  static long start(BackendContext context, List<String> argv, Path log) {
    List<String> sh = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "qubix-detach", log.toString()));
    sh.addAll(argv);
    String out = context.runner().run(Command.of(sh).withTimeout(Duration.ofSeconds(30))).stdout().strip();
    long pid;
    try {
      pid = Long.parseLong(out);
    } catch (NumberFormatException e) {
      throw new QubixException("could not start " + argv.get(0) + " in the background (the shell said: " + out + ")", e);
    }
    String program = Path.of(argv.get(0)).getFileName().toString();
    context.await(program + " started", EXEC_LIMIT, () -> ProcessHandle.of(pid).flatMap(p -> p.info().command())
        .map(c -> c.endsWith("/" + program)).orElse(true));
    return pid;
  }

  private static final Duration EXEC_LIMIT = Duration.ofSeconds(10);
}
