package dev.qubix.manifest;

/** The persistent home disk: survives every recreate; only an explicit purge deletes it. */
public record HomeDisk(boolean enable, String label, long sizeMiB) {}
