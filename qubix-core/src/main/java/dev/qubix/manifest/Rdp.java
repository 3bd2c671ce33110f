package dev.qubix.manifest;

/** How to reach xrdp in the guest, and the desktop size the client asks for. */
public record Rdp(String user, int port, int width, int height) {}
