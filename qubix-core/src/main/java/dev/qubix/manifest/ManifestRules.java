package dev.qubix.manifest;

import dev.qubix.ManifestException.Violation;
import java.util.List;

/**
 * A backend's own rules for a machine, beyond those core checks: its {@link ManifestSection} and
 * any limits of its hypervisor on the common fields (Hyper-V's 2 MiB memory pages). The reader
 * reports them together with core's in one {@link dev.qubix.ManifestException}, so a user sees every
 * problem at once, before anything starts.
 *
 * @see ManifestReader#read(String, String, String, ManifestRules)
 * @see dev.qubix.spi.BackendProvider#manifestRules()
 */
@FunctionalInterface
public interface ManifestRules {
  /** No rules beyond core's. */
  ManifestRules NONE = machine -> List.of();

  /**
   * The violations of {@code machine}, each with its full JSON pointer; empty when it is fine. Called
   * even when core found problems, so that all are reported at once: a common field that broke one
   * of core's rules is null here (or its default), and the sections are always there as written.
   */
  List<Violation> check(MachineManifest machine);
}
