/**
 * Test fixtures: {@link dev.qubix.junit.QubixExtension} gives a test a running appliance through
 * {@link dev.qubix.junit.QubixAppliance} or the {@code QubixExtension.of(appliance)} builder, with
 * {@link dev.qubix.junit.WaitStrategy} and {@link dev.qubix.junit.GuestConsole};
 * {@link dev.qubix.junit.QubixStartable} lets one run as a
 * Testcontainers {@code @Container} (no Docker involved).
 */
package dev.qubix.junit;
