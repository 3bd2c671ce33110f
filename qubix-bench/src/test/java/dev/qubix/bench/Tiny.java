package dev.qubix.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Serial markers and QEMU processes of the tiny guest. */
final class Tiny {
  private static final Pattern COUNT = Pattern.compile("(?m)^QUBIX-BOOT-COUNT=(\\d+)\\s*$");

  private Tiny() {}

  static List<Integer> bootCounts(Path state) throws IOException {
    Path log = state.resolve("qubix-tiny/serial.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    return COUNT.matcher(Files.readString(log, StandardCharsets.ISO_8859_1)).results()
        .map(r -> Integer.parseInt(r.group(1))).toList();
  }

  static List<ProcessHandle> qemuUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(dir.toString())).orElse(false))
        .toList();
  }

  static Process javaMain(Class<?> main, List<String> args, Path log) throws IOException {
    return javaMain(List.of(), main, args, log);
  }

  /** Starts {@code main} in a child JVM on this test's class path, output to {@code log}. */
  static Process javaMain(List<String> jvmOptions, Class<?> main, List<String> args, Path log) throws IOException {
    List<String> argv = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    argv.addAll(jvmOptions);
    argv.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    argv.addAll(args);
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
