/** Test support for backend authors and users: the tiny guest, manifest builders, CI-aware skips. */
module dev.qubix.testing {
  requires transitive dev.qubix.core;
  requires transitive org.junit.jupiter.api;
  requires com.fasterxml.jackson.databind;
  requires jdk.httpserver;

  exports dev.qubix.testing;
}
