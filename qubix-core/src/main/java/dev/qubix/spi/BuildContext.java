package dev.qubix.spi;

import dev.qubix.event.ProgressListener;
import dev.qubix.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What an {@link ImageBuilder} gets: the flake directory, the state directory (for its cache), how to
 * run programs, and extra Nix options passed through unchanged ({@code --builders}, {@code --store},
 * {@code --option …}) so remote builders and caches work without Qubix knowing about them. Core
 * implements it; it grows without breaking builders.
 */
public interface BuildContext {
  Path flake();

  Path stateDir();

  CommandRunner runner();

  ProgressListener listener();

  Duration timeout();

  HostInfo host();

  List<String> extraNixOptions();

  /** A context of these values (for builders' own tests and tools). */
  static BuildContext of(Path flake, Path stateDir, CommandRunner runner, ProgressListener listener, Duration timeout,
      HostInfo host, List<String> extraNixOptions) {
    record Values(Path flake, Path stateDir, CommandRunner runner, ProgressListener listener, Duration timeout,
        HostInfo host, List<String> extraNixOptions) implements BuildContext {
      Values {
        extraNixOptions = List.copyOf(extraNixOptions);
      }
    }
    return new Values(flake, stateDir, runner, listener, timeout, host, extraNixOptions);
  }
}
