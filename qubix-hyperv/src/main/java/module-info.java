/** The Hyper-V backend: static PowerShell scripts with base64-JSON parameters, differencing disks, NAT switch. */
module dev.qubix.hyperv {
  requires dev.qubix.core;
  requires com.fasterxml.jackson.databind;
  requires com.sun.jna;
  requires com.sun.jna.platform;

  exports dev.qubix.hyperv;
  // JNA reads and writes CREDENTIALW's public fields and proxies the advapi32 interface by reflection
  opens dev.qubix.hyperv.internal.wincred to com.sun.jna;

  provides dev.qubix.spi.BackendProvider with dev.qubix.hyperv.HyperVBackendProvider;
}
