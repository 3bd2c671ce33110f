/**
 * Test fixtures: {@link dev.qubix.junit.QubixExtension} gives a test a running appliance through
 * {@link dev.qubix.junit.QubixAppliance}; {@link dev.qubix.junit.QubixStartable} lets one run as a
 * Testcontainers {@code @Container} (no Docker involved).
 */
package dev.qubix.junit;
