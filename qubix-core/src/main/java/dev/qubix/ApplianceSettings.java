package dev.qubix;

import dev.qubix.event.ProgressListener;
import dev.qubix.manifest.Overrides;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.ImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything an {@link Appliance} was configured with; each {@code withX} copies it with one value
 * changed. {@code backend} is a name, {@code provider} a backend handed in directly (tests).
 */
record ApplianceSettings(String machine, Path flake, String backend, BackendProvider provider, Path stateDir,
    Path manifestFile, Overrides overrides, ProgressListener listener, Duration timeout, Duration lockWait,
    ImageBuilder imageBuilder, List<String> nixOptions, HostInfo host, HomeMode homeMode, HomeRequest.BeforeRecreate beforeRecreate) {

  ApplianceSettings {
    nixOptions = List.copyOf(nixOptions);
  }

  static ApplianceSettings defaults(String machine, HostInfo host) {
    return new ApplianceSettings(machine, null, null, null, null, null, Overrides.NONE, ProgressListener.NONE,
        Duration.ofMinutes(60), Instance.DEFAULT_LOCK_WAIT, null, List.of(), host,
        HomeMode.PERSISTENT, HomeRequest.BeforeRecreate.DEFAULT);
  }

  ApplianceSettings withFlake(Path v) {
    return new ApplianceSettings(machine, v, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withBackend(String name, BackendProvider p) {
    return new ApplianceSettings(machine, flake, name, p, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withStateDir(Path v) {
    return new ApplianceSettings(machine, flake, backend, provider, v, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withManifestFile(Path v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, v, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withOverrides(Overrides v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, v, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withListener(ProgressListener v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, v, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withTimeout(Duration v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, v,
        lockWait, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withLockWait(Duration v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        v, imageBuilder, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withImageBuilder(ImageBuilder v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, v, nixOptions, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withNixOptions(List<String> v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, v, host, homeMode, beforeRecreate);
  }

  ApplianceSettings withHomeMode(HomeMode v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, v, beforeRecreate);
  }

  ApplianceSettings withBeforeRecreate(HomeRequest.BeforeRecreate v) {
    return new ApplianceSettings(machine, flake, backend, provider, stateDir, manifestFile, overrides, listener, timeout,
        lockWait, imageBuilder, nixOptions, host, homeMode, v);
  }
}
