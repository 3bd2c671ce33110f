package dev.qubix.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code main} class started in a JVM of its own, on this test's class path: for what one JVM
 * cannot show (two processes contending for a lock, a process killed mid-operation, a child's umask).
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code main} with {@code args}, stdout and stderr to {@code log}. */
  public static Process start(Class<?> main, List<String> args, Path log) throws IOException {
    return start(List.of(), main, args, log);
  }

  /** Starts {@code main} with JVM options such as {@code -Dname=value} before the class path. */
  public static Process start(List<String> jvmOptions, Class<?> main, List<String> args, Path log) throws IOException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    argv.addAll(jvmOptions);
    argv.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    argv.addAll(args);
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
