/** The nspawn backend, declared but not implemented: listed, never auto-selected, says what to use instead. */
module dev.qubix.nspawn {
  requires transitive dev.qubix.core;

  exports dev.qubix.nspawn;

  provides dev.qubix.spi.BackendProvider with dev.qubix.nspawn.NspawnBackendProvider;
}
