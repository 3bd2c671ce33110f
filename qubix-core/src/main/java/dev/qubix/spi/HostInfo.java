package dev.qubix.spi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The machine Qubix runs on, as probes see it. Tests build their own. */
public record HostInfo(Os os, String arch, boolean wsl, Map<String, String> env) {

  public enum Os { LINUX, WINDOWS, MACOS, OTHER }

  public HostInfo {
    env = Map.copyOf(env);
  }

  public static HostInfo current() {
    String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    Os os = name.startsWith("windows") ? Os.WINDOWS : name.startsWith("linux") ? Os.LINUX
        : name.startsWith("mac") ? Os.MACOS : Os.OTHER;
    return new HostInfo(os, System.getProperty("os.arch", ""), os == Os.LINUX && runsInWsl(), System.getenv());
  }

  public Optional<String> getenv(String name) {
    return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank());
  }

  /** Finds an executable on PATH (PATHEXT-aware on Windows). */
  public Optional<Path> which(String program) {
    if (program.contains("/") || program.contains("\\")) {
      Path p = Path.of(program);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = env.getOrDefault("PATH", env.getOrDefault("Path", ""));
    String[] exts = os == Os.WINDOWS ? new String[] {"", ".exe", ".cmd", ".bat"} : new String[] {""};
    for (String dir : path.split(os == Os.WINDOWS ? ";" : ":")) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String ext : exts) {
        Path p = Path.of(dir, program + ext);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean runsInWsl() {
    try {
      return Files.readString(Path.of("/proc/version")).toLowerCase(Locale.ROOT).contains("microsoft");
    } catch (Exception e) {
      return false;
    }
  }
}
