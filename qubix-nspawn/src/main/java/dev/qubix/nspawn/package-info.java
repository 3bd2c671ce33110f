/**
 * The systemd-nspawn backend: planned, not implemented. It is registered so that
 * {@code qubixctl backends} shows it and an explicit {@code --backend nspawn} gets a clear
 * answer instead of "unknown backend".
 */
package dev.qubix.nspawn;
