package dev.qubix;

import dev.qubix.spi.Availability;

/** A registered backend and what its probe said here. */
public record BackendInfo(String name, int priority, Availability availability) {}
