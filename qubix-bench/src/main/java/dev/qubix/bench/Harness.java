package dev.qubix.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Timing, medians, tables and result files shared by the whole-operation benchmarks. */
final class Harness {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Harness() {}

  interface Body {
    void run() throws Exception;
  }

  /** Wall times of {@code n} runs, in milliseconds. */
  static List<Double> time(int n, Body body) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      body.run();
      out.add((System.nanoTime() - t) / 1e6);
    }
    return out;
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** Runs a program to its end, failing loudly. */
  static String run(List<String> argv, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed:\n" + out);
    }
    return out;
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("testing/tiny-guest"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the Qubix repository");
    }
    return p;
  }

  /** Writes qubix-bench/results/<name>.json and returns the table row map. */
  static void write(String name, Map<String, Object> result) throws IOException {
    Path dir = repoRoot().resolve("qubix-bench/results");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".json"), JSON.writeValueAsString(result) + "\n");
  }

  static Map<String, Object> result(String claim, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("claim", claim);
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }
}
