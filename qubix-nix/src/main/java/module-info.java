/** Builds Qubix manifests and images with Nix, locally or through WSL. */
module dev.qubix.nix {
  requires dev.qubix.core;
  requires com.fasterxml.jackson.databind;

  exports dev.qubix.nix;

  provides dev.qubix.spi.ImageBuilder with dev.qubix.nix.NixBuilder;
}
