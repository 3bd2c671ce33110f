package dev.qubix.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Nix a test runs with: its "lane". By default the {@code nix} on PATH (Debian 12's 2.8); a
 * surefire execution of the "current" lane sets {@code qubix.test.nix} to the wrapper made by
 * {@code testing/nix/current-nix.sh} (Debian 13's 2.26). Missing nix skips locally, fails under CI.
 */
public final class TestNix {
  /** System property naming the nix binary of a non-default lane. */
  public static final String LANE_PROPERTY = "qubix.test.nix";
  private static String version;

  private TestNix() {}

  /** The nix binary of this test JVM's lane. */
  public static Path binary() {
    String lane = System.getProperty(LANE_PROPERTY, "");
    if (lane.isBlank()) {
      return Requires.tool("nix");
    }
    Path nix = Path.of(lane);
    if (!Files.isExecutable(nix)) {
      Requires.missing("the current-Nix lane's nix " + nix + " (made by testing/nix/current-nix.sh)");
    }
    return nix;
  }

  /** Points the code under test at this lane's nix ({@code -Dqubix.nix}) and announces it. */
  public static synchronized String select(String testName) {
    Path nix = announce(testName);
    System.setProperty("qubix.nix", nix.toString());
    return version();
  }

  /** Prints which Nix {@code testName} runs with, so the test log names each lane's version. */
  public static synchronized Path announce(String testName) {
    Path nix = binary();
    System.out.println("[nix lane] " + testName + " runs with " + version() + " (" + nix + ")");
    return nix;
  }

  /** {@code nix --version} of this lane, read once per JVM, e.g. {@code nix (Nix) 2.26.3}. */
  public static synchronized String version() {
    if (version == null) {
      try {
        Process p = new ProcessBuilder(binary().toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("nix --version failed: " + out);
        }
        version = out;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return version;
  }
}
