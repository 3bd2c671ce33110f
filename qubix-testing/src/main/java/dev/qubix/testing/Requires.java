package dev.qubix.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a real tool (nix, qemu, node) skip when it is missing on a developer's machine,
 * but fail under CI ({@code CI=true}): nothing may silently not run there.
 */
public final class Requires {
  private Requires() {}

  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The tool's path on PATH; skips (locally) or fails (CI) when absent. */
  public static Path tool(String name) {
    Optional<Path> found = which(name);
    if (found.isEmpty()) {
      missing(name + " is not on PATH");
    }
    return found.orElseThrow();
  }

  /**
   * The one gate for conditions other than a tool on PATH (a device, an environment variable naming
   * a machine): skips locally, fails under CI, when {@code holds} is false.
   */
  public static void that(boolean holds, String what) {
    if (!holds) {
      missing(what);
    }
  }

  /** Skips locally, fails under CI. */
  public static void missing(String what) {
    String message = what + " (.ci/run installs it; locally this test is skipped)";
    if (underCi()) {
      Assertions.fail("required under CI: " + message);
    }
    Assumptions.abort(message);
  }

  public static Optional<Path> which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The repository root (the folder holding the reactor pom and testing/). */
  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("testing")) && Files.isRegularFile(p.resolve("pom.xml"))
          && Files.isDirectory(p.resolve("qubix-core"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("cannot find the Qubix repository root above " + Path.of("").toAbsolutePath());
  }
}
