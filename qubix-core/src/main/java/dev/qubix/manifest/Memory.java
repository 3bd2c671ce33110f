package dev.qubix.manifest;

/** An amount of memory in bytes, printed in the largest binary unit that divides it. */
public record Memory(long bytes) implements Comparable<Memory> {
  public static final long MIB = 1024L * 1024;
  public static final long GIB = 1024L * MIB;

  public Memory {
    if (bytes < 0) {
      throw new IllegalArgumentException("memory cannot be negative: " + bytes);
    }
  }

  public static Memory ofMiB(long mib) {
    return new Memory(mib * MIB);
  }

  public long mebibytes() {
    return bytes / MIB;
  }

  @Override
  public int compareTo(Memory o) {
    return Long.compare(bytes, o.bytes);
  }

  @Override
  public String toString() {
    if (bytes != 0 && bytes % GIB == 0) {
      return bytes / GIB + " GiB";
    }
    if (bytes != 0 && bytes % MIB == 0) {
      return bytes / MIB + " MiB";
    }
    return bytes + " bytes";
  }
}
