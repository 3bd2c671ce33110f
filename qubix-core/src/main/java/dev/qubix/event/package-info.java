/** Progress events of long-running operations. */
package dev.qubix.event;
