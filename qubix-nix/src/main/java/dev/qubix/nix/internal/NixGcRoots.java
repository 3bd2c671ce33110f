package dev.qubix.nix.internal;

import dev.qubix.QubixException;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.GcRoots;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Indirect GC roots made by nix itself ({@code nix build --out-link}), so they work the same for a
 * root install and for a user of a multi-user install (whose roots the daemon registers). A dangling
 * root, left when its folder is deleted, is dropped by Nix's next garbage collection.
 */
public record NixGcRoots(NixCommand nix, CommandRunner runner, Duration timeout, List<String> extraOptions)
    implements GcRoots {

  @Override
  public void pin(Path dir, Map<String, String> storePathByName) {
    try {
      PrivateFiles.directory(dir);
      for (Map.Entry<String, String> e : storePathByName.entrySet()) {
        String path = storeObject(e.getValue());
        CommandResult r = runner.run(nix.root(dir.resolve(e.getKey()), path, extraOptions).withTimeout(timeout)
            .allowingFailure());
        if (!r.ok()) {
          throw new QubixException("cannot make " + path + " a GC root at " + dir.resolve(e.getKey()) + ": "
              + String.join(" ", r.stderrTail(5)));
        }
      }
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path stale : entries.filter(p -> !storePathByName.containsKey(p.getFileName().toString())).toList()) {
          if (Files.isSymbolicLink(stale) || Files.isRegularFile(stale, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(stale);
          }
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot update the GC roots in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** {@code /nix/store/abc-x/disk.vhdx} → {@code /nix/store/abc-x}: only whole store objects are roots. */
  static String storeObject(String path) {
    int store = path.indexOf("/nix/store/");
    if (store < 0) {
      return path;
    }
    int end = path.indexOf('/', store + "/nix/store/".length());
    return end < 0 ? path : path.substring(0, end);
  }
}
