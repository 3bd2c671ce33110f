package dev.qubix.manifest;

/** Hyper-V placement and firmware. {@code vmRoot} is an absolute Windows path. */
public record HyperVSettings(String vmRoot, String switchName, int generation, boolean secureBoot, String wslDistro) {}
