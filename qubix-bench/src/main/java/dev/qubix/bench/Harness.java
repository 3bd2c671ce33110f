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
import java.util.Optional;
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
    m.put("machine", machine());
    for (int i = 0; i + 1 < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** What the numbers were measured on; the load average shows how busy the 2 cores were. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("os", firstLine(List.of("sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\"")));
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory", firstLine(List.of("sh", "-c", "awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")));
    m.put("loadAverage", firstLine(List.of("cut", "-d", " ", "-f", "1-3", "/proc/loadavg")));
    m.put("java", System.getProperty("java.vm.version"));
    m.put("qemu", firstLine(List.of("qemu-system-x86_64", "--version")));
    m.put("nix", firstLine(List.of("nix", "--version")));
    m.put("accelerator", Optional.ofNullable(System.getenv("QUBIX_QEMU_ACCEL")).orElse("probed (KVM only when it works)"));
    return m;
  }

  private static String firstLine(List<String> argv) {
    try {
      return run(argv, Map.of()).lines().findFirst().orElse("").strip();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  /** Bytes of the regular files under {@code dir}. */
  static long bytesUnder(Path dir) throws IOException {
    try (var all = java.nio.file.Files.walk(dir)) {
      long sum = 0;
      for (Path p : all.filter(java.nio.file.Files::isRegularFile).toList()) {
        sum += java.nio.file.Files.size(p);
      }
      return sum;
    }
  }
}
