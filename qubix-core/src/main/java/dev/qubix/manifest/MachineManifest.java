package dev.qubix.manifest;

import java.util.Map;
import java.util.Optional;

/**
 * One machine of a validated manifest. Every common value here has passed validation: backends can
 * use it without checking again. The other top-level fields are {@link #sections()}, which their
 * backend reads and validates (see {@link ManifestRules}).
 */
public record MachineManifest(
    String name,
    String hostName,
    String vmName,
    Mode mode,
    int cpuCount,
    Memory memoryStartup,
    Memory maxMemory,
    Network network,
    HomeDisk homeDisk,
    Rdp rdp,
    String mdnsName,
    Map<String, ImageRef> images,
    Map<String, ManifestSection> sections) {

  public MachineManifest {
    images = Map.copyOf(images);
    sections = Map.copyOf(sections);
  }

  public Optional<ImageRef> image(String key) {
    return Optional.ofNullable(images.get(key));
  }

  public Optional<String> mdns() {
    return Optional.ofNullable(mdnsName);
  }

  /** The top-level field {@code name} that core does not read, e.g. {@code hyperv}, as written. */
  public Optional<ManifestSection> section(String name) {
    return Optional.ofNullable(sections.get(name));
  }

  /** The JSON pointer of this machine in its manifest, for error messages: {@code /machines/<name>}. */
  public String pointer() {
    return dev.qubix.manifest.internal.Pointers.machine(name);
  }
}
