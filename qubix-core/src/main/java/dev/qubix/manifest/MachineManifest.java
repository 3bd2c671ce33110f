package dev.qubix.manifest;

import java.util.Map;
import java.util.Optional;

/**
 * One machine of a validated manifest. Every value here has passed validation: backends can use
 * it without checking again.
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
    HyperVSettings hyperv) {

  public MachineManifest {
    images = Map.copyOf(images);
  }

  public Optional<ImageRef> image(String key) {
    return Optional.ofNullable(images.get(key));
  }

  public Optional<String> mdns() {
    return Optional.ofNullable(mdnsName);
  }

  /** The JSON pointer of this machine in its manifest, for error messages: {@code /machines/<name>}. */
  public String pointer() {
    return dev.qubix.manifest.internal.Pointers.machine(name);
  }

  public Optional<HyperVSettings> hypervSettings() {
    return Optional.ofNullable(hyperv);
  }
}
