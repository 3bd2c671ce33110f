package dev.qubix.spi;

import dev.qubix.manifest.MachineManifest;
import java.util.Set;

/**
 * Builds manifests and images from a flake (qubix-nix implements it; found through
 * {@link java.util.ServiceLoader}).
 */
public interface ImageBuilder {

  /** The manifest document (JSON of all machines), from the cache when it is still valid. */
  String manifestJson(BuildContext context);

  /** Builds the machine's images named by {@code imageKeys} (those the manifest has), with one Nix process. */
  ImageSet build(BuildContext context, MachineManifest machine, Set<String> imageKeys);
}
