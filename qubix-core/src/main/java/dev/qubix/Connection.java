package dev.qubix;

import java.util.Optional;

/** A ready RDP endpoint and, unless headless, the client window started for it. */
public record Connection(Endpoint endpoint, Optional<Process> client) {}
