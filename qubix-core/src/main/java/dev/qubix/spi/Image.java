package dev.qubix.spi;

import dev.qubix.manifest.ImageFormat;
import java.nio.file.Path;

/**
 * A built image: its key in the manifest, its format, the store path Nix returned (as Nix names it,
 * e.g. {@code /nix/store/abc-spotibox-vhdx}), and {@code file}: the image file (or, for
 * {@code direct}, the folder) as this JVM can open it — under {@code \\wsl.localhost\…} on Windows.
 */
public record Image(String key, ImageFormat format, String storePath, Path file) {

  /** The store hash part of the store path (stable per image version; used to name cached copies). */
  public String version() {
    String base = storePath.replace('\\', '/');
    base = base.substring(base.lastIndexOf("/nix/store/") >= 0 ? base.lastIndexOf("/nix/store/") + 11 : base.lastIndexOf('/') + 1);
    int slash = base.indexOf('/');
    base = slash >= 0 ? base.substring(0, slash) : base;
    int dash = base.indexOf('-');
    return dash > 0 ? base.substring(0, dash) : base;
  }
}
