/** The Hyper-V backend. */
package dev.qubix.hyperv;
