package dev.qubix.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real qubixctl.jar as a separate process, as a user would. */
final class QubixCtlProcess {
  record Result(int exitCode, String stdout, String stderr) {}

  private QubixCtlProcess() {}

  static Path jar() {
    Path jar = Path.of(System.getProperty("qubixctl.jar", "target/qubixctl.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("qubixctl.jar not built at " + jar.toAbsolutePath() + " (run mvn verify)");
    }
    return jar;
  }

  /**
   * Runs qubixctl on a pseudo-terminal ({@code script} from util-linux) with TERM=xterm; stdout
   * of the result is everything the terminal received (stdout and stderr, as shown), stderr empty.
   */
  static Result onTerminal(Path stateDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
    StringBuilder command = new StringBuilder(quote(Path.of(System.getProperty("java.home"), "bin", "java").toString()))
        .append(" -jar ").append(quote(jar().toString()));
    for (String a : args) {
      command.append(' ').append(quote(a));
    }
    List<String> argv = List.of("script", "-qfec", command.toString(), "/dev/null");
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("QUBIX_STATE_DIR", stateDir.toString());
    pb.environment().remove("QUBIX_BACKEND");
    pb.environment().remove("COLUMNS");
    pb.environment().put("TERM", "xterm");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(stateDir.getParent(), "tty", ".txt");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(out.toFile()).redirectErrorStream(true);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException("qubixctl " + String.join(" ", args) + " did not finish on the terminal");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), "");
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static Result run(Path stateDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar().toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("QUBIX_STATE_DIR", stateDir.toString());
    pb.environment().remove("QUBIX_BACKEND");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(stateDir.getParent(), "out", ".txt");
    Path err = Files.createTempFile(stateDir.getParent(), "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("qubixctl " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
