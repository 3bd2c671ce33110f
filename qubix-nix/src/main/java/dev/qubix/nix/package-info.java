/** {@link dev.qubix.nix.NixBuilder}: manifests and images from a flake, with one Nix process per build. */
package dev.qubix.nix;
