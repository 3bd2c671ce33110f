package dev.qubix.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * Keeps the store paths a VM uses alive: Nix's garbage collector deletes every store path that no
 * GC root reaches, and a stopped microvm VM boots straight from its store image. The builder that
 * made an {@link ImageSet} knows how to root its paths (qubix-nix: indirect roots, as
 * {@code nix build --out-link} makes them); images that did not come from a store have none.
 */
public interface GcRoots {
  /** For images that no store owns (a prebuilt manifest's files): nothing to root. */
  GcRoots NONE = (dir, roots) -> { };

  /**
   * Makes {@code dir/<name>} an indirect GC root of each store path (a path inside a store path roots
   * the whole store path), then removes every other entry of {@code dir}: the roots move, with no
   * moment in which a path still in use is unrooted.
   */
  void pin(Path dir, Map<String, String> storePathByName);
}
