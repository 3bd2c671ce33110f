/** The microvm backend: QEMU on Linux. */
package dev.qubix.microvm;
