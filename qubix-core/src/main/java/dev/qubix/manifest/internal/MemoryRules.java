package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.Memory;

/** Startup and maximum memory: each in range, and startup no more than the maximum. */
final class MemoryRules {
  static final long MIN_MEMORY = 256 * Memory.MIB;
  static final long MAX_MEMORY = 1024 * Memory.GIB;
  private static final String RANGE = "at least 256 MiB (268435456)";

  record Sizes(Memory startup, Memory max) {}

  private MemoryRules() {}

  static Sizes read(FieldCursor machine) {
    FieldCursor startupField = machine.get("memoryStartupBytes");
    Long startup = startupField.longValue(MIN_MEMORY, MAX_MEMORY, null, RANGE);
    Long max = machine.get("maxMemoryBytes").longValue(MIN_MEMORY, MAX_MEMORY, null, RANGE);
    if (startup != null && max != null && startup > max) {
      startupField.fail(new Memory(startup) + " is more than maxMemoryBytes " + new Memory(max)
          + ": lower memoryStartupBytes or raise maxMemoryBytes");
    }
    return new Sizes(startup == null ? null : new Memory(startup), max == null ? null : new Memory(max));
  }
}
