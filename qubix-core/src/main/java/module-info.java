/** Qubix core: the public API, manifest records, backend SPI, process runner and progress events. */
module dev.qubix.core {
  requires transitive org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires jakarta.json;
  requires java.net.http;

  exports dev.qubix;
  exports dev.qubix.manifest;
  exports dev.qubix.spi;
  exports dev.qubix.exec;
  exports dev.qubix.event;
  exports dev.qubix.release;

  uses dev.qubix.spi.BackendProvider;
  uses dev.qubix.spi.ImageBuilder;
}
