package dev.qubix;

/** A backend on the class path and what its probe said here. */
public record BackendInfo(String name, int priority, Availability availability) {}
