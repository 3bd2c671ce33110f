/** The QEMU backend for Linux: qcow2 overlays over store images, a persistent home disk, QMP control. */
module dev.qubix.microvm {
  requires dev.qubix.core;
  requires com.fasterxml.jackson.databind;

  exports dev.qubix.microvm;

  provides dev.qubix.spi.BackendProvider with dev.qubix.microvm.MicrovmBackendProvider;
}
