package dev.qubix.internal;

import dev.qubix.spi.HostInfo;
import java.nio.file.Path;

/** Where Qubix keeps state and where it looks for the flake by default. */
public final class StateDirs {
  private StateDirs() {}

  /** {@code $QUBIX_STATE_DIR}, else {@code $XDG_STATE_HOME/qubix} / {@code %LOCALAPPDATA%\Qubix}, else {@code ~/.local/state/qubix}. */
  public static Path defaultStateDir(HostInfo host) {
    return host.getenv("QUBIX_STATE_DIR").map(Path::of).orElseGet(() -> {
      if (host.os() == HostInfo.Os.WINDOWS) {
        return host.getenv("LOCALAPPDATA").map(p -> Path.of(p, "Qubix"))
            .orElse(Path.of(System.getProperty("user.home"), "AppData", "Local", "Qubix"));
      }
      return host.getenv("XDG_STATE_HOME").map(p -> Path.of(p, "qubix"))
          .orElse(Path.of(System.getProperty("user.home"), ".local", "state", "qubix"));
    }).toAbsolutePath();
  }

  /** {@code $QUBIX_FLAKE}, else {@code ./nix}. */
  public static Path defaultFlake(HostInfo host) {
    return host.getenv("QUBIX_FLAKE").map(Path::of).orElse(Path.of("nix")).toAbsolutePath();
  }
}
