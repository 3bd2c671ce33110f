package dev.qubix.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An external program to run: an argument vector (never a shell string), and how to run it.
 * Immutable; {@code withX} returns a copy.
 */
public record Command(
    List<String> argv,
    Path workDir,
    Map<String, String> environment,
    Duration timeout,
    String stdin,
    Consumer<String> stdoutLines,
    Consumer<String> stderrLines,
    boolean checkExitCode) {

  private static final Consumer<String> IGNORE = line -> { };

  public Command {
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least the program name");
    }
    for (String a : argv) {
      Objects.requireNonNull(a, "argument");
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument contains NUL: " + a.replace('\0', '?'));
      }
    }
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
    Objects.requireNonNull(timeout, "timeout");
    stdoutLines = stdoutLines == null ? IGNORE : stdoutLines;
    stderrLines = stderrLines == null ? IGNORE : stderrLines;
  }

  /** A command with a 10 minute timeout that fails on a non-zero exit code. */
  public static Command of(String program, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(program);
    argv.addAll(List.of(args));
    return of(argv);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, null, Map.of(), Duration.ofMinutes(10), null, null, null, true);
  }

  public String program() {
    return argv.get(0);
  }

  public Command withArgs(List<String> more) {
    List<String> all = new ArrayList<>(argv);
    all.addAll(more);
    return new Command(all, workDir, environment, timeout, stdin, stdoutLines, stderrLines, checkExitCode);
  }

  public Command withWorkDir(Path dir) {
    return new Command(argv, dir, environment, timeout, stdin, stdoutLines, stderrLines, checkExitCode);
  }

  /** Adds (or overrides) environment variables on top of the inherited environment. */
  public Command withEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(name, value);
    return new Command(argv, workDir, env, timeout, stdin, stdoutLines, stderrLines, checkExitCode);
  }

  public Command withTimeout(Duration t) {
    return new Command(argv, workDir, environment, t, stdin, stdoutLines, stderrLines, checkExitCode);
  }

  public Command withStdin(String input) {
    return new Command(argv, workDir, environment, timeout, input, stdoutLines, stderrLines, checkExitCode);
  }

  public Command onStdout(Consumer<String> lines) {
    return new Command(argv, workDir, environment, timeout, stdin, lines, stderrLines, checkExitCode);
  }

  public Command onStderr(Consumer<String> lines) {
    return new Command(argv, workDir, environment, timeout, stdin, stdoutLines, lines, checkExitCode);
  }

  /** Return the result even when the exit code is not 0. */
  public Command allowingFailure() {
    return new Command(argv, workDir, environment, timeout, stdin, stdoutLines, stderrLines, false);
  }
}
