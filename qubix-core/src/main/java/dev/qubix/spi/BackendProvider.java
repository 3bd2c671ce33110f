package dev.qubix.spi;

import dev.qubix.Availability;
import dev.qubix.manifest.ManifestRules;

/**
 * A hypervisor backend, found through {@link java.util.ServiceLoader} or handed to
 * {@code Appliance.withBackend(BackendProvider)}. This is the one SPI type the public API names: it
 * is how a backend plugs in.
 */
public interface BackendProvider {

  /** Short, stable name: "hyperv", "microvm", "nspawn". */
  String name();

  /** Higher wins when Qubix picks a backend by itself. */
  int priority();

  /** Cheap check (OS, binaries, privileges) that never changes anything; says why not. */
  Availability probe(HostInfo host);

  /** Opens the backend. Must not change anything either: {@code plan} works on unavailable backends. */
  Backend open(BackendContext context);

  /**
   * This backend's rules for a machine beyond core's: its manifest section (e.g. {@code hyperv}) and
   * its hypervisor's limits. Checked when the manifest is read, with core's, before anything starts.
   */
  default ManifestRules manifestRules() {
    return ManifestRules.NONE;
  }
}
