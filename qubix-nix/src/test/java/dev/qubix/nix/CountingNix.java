package dev.qubix.nix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A script that logs each call, then runs the real nix: counts nix processes from outside. */
final class CountingNix {
  private CountingNix() {}

  /** Writes {@code dir/nix-counting}, which appends its arguments to {@code log} and execs {@code realNix}. */
  static Path wrapper(Path dir, Path realNix, Path log) throws IOException {
    Path wrapper = dir.resolve("nix-counting");
    Files.writeString(wrapper, "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + realNix + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    return wrapper;
  }
}
