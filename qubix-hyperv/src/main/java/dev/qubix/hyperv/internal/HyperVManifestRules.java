package dev.qubix.hyperv.internal;

import dev.qubix.ManifestException.Violation;
import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestRules;
import dev.qubix.manifest.ManifestSection;
import dev.qubix.manifest.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hyper-V's rules for a machine with a {@code hyperv} section: the section itself, and memory in
 * whole 2 MiB pages. A machine without the section is left alone here; the backend refuses it when
 * asked to act on it ({@link HyperVSettings#require}).
 */
public final class HyperVManifestRules implements ManifestRules {
  public static final HyperVManifestRules INSTANCE = new HyperVManifestRules();
  static final long MEMORY_ALIGNMENT = 2 * Memory.MIB;

  private HyperVManifestRules() {}

  @Override
  public List<Violation> check(MachineManifest m) {
    Optional<ManifestSection> section = m.section(HyperVSettings.SECTION);
    if (section.isEmpty()) {
      return List.of();
    }
    List<Violation> violations = new ArrayList<>();
    // Hyper-V allocates guest memory in 2 MiB pages: New-VM/Set-VMMemory refuse other values, and
    // recreate reaches them only after the old VM is gone (kubernetes/minikube#6973)
    aligned(m, "memoryStartupBytes", m.memoryStartup()).ifPresent(violations::add);
    aligned(m, "maxMemoryBytes", m.maxMemory()).ifPresent(violations::add);
    FieldCursor cursor = section.get().cursor();
    HyperVSettings.read(cursor);
    violations.addAll(cursor.violations());
    return violations;
  }

  private static Optional<Violation> aligned(MachineManifest m, String field, Memory memory) {
    if (memory == null || memory.bytes() % MEMORY_ALIGNMENT == 0) {
      return Optional.empty();
    }
    long bytes = memory.bytes();
    long down = bytes / MEMORY_ALIGNMENT * MEMORY_ALIGNMENT;
    return Optional.of(new Violation(m.pointer() + "/" + field, bytes + " is not a multiple of 2 MiB (2097152), which "
        + "Hyper-V requires: use " + down + " or " + (down + MEMORY_ALIGNMENT)));
  }
}
