package dev.qubix.manifest;

/** The appliance's build mode: prod is locked down, debug adds tools and SSH. */
public enum Mode { PROD, DEBUG }
