package dev.qubix.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tiny test guest (Debian cloud kernel + busybox initramfs, see testing/tiny-guest) wrapped in
 * an input-free flake with machine {@code tiny}. Built from Debian packages at test time.
 */
public final class TinyGuest {
  private TinyGuest() {}

  /** Writes the tiny flake into {@code dir} (kernel + initrd cached across runs). */
  public static Path flake(Path dir) {
    TestNix.binary();
    Requires.tool("qemu-system-x86_64");
    Path script = Requires.repoRoot().resolve("testing/tiny-guest/make-tiny-flake.sh");
    try {
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(List.of("bash", script.toString(), dir.toString()))
          .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".make.log").toFile())
          .start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        String log = Files.readString(dir.resolveSibling(dir.getFileName() + ".make.log"));
        if (log.contains("E: ") || log.contains("Unable to locate")) {
          Requires.missing("the tiny guest could not be made from Debian packages:\n" + log);
        }
        throw new IllegalStateException("make-tiny-flake.sh failed:\n" + log);
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Environment for nix in tests: the binary cache is unreachable here and would make nix wait for DNS. */
  public static final String NIX_CONFIG = "substituters =\nexperimental-features = nix-command flakes";
}
