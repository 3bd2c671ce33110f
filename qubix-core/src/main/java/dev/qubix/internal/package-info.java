/** Core internals: not part of the API. */
package dev.qubix.internal;
