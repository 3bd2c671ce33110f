/** The systemd-nspawn backend: containers for trusted services, on Linux as root. */
module dev.qubix.nspawn {
  requires transitive dev.qubix.core;
  requires com.fasterxml.jackson.databind;

  exports dev.qubix.nspawn;

  provides dev.qubix.spi.BackendProvider with dev.qubix.nspawn.NspawnBackendProvider;
}
