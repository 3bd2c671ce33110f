/** Running external programs: argument vectors, concurrent draining, process-tree timeouts. */
package dev.qubix.exec;
