/**
 * The systemd-nspawn backend: trusted services in containers that share the host's kernel, on
 * Linux as root. Images are {@code rootfs} folders or NixOS system toplevels
 * ({@code images.nspawn}); homes are folders bound at {@code /home}.
 */
package dev.qubix.nspawn;
