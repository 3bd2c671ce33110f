package dev.qubix.internal;

import dev.qubix.ManifestException;
import dev.qubix.manifest.ImageRef;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Images of a prebuilt manifest: each has an absolute {@code path}; no Nix involved. */
public final class PrebuiltImages {
  private PrebuiltImages() {}

  /**
   * The images {@code keys} names that the manifest has. With {@code require}, a missing path or
   * file is an error naming the field; without (plans), such images are left out.
   */
  public static ImageSet resolve(MachineManifest m, Set<String> keys, boolean require) {
    Map<String, Image> out = new LinkedHashMap<>();
    for (String key : keys) {
      ImageRef ref = m.images().get(key);
      if (ref == null) {
        continue;
      }
      String pointer = m.pointer() + "/images/" + key + "/path";
      if (ref.path() == null) {
        if (require) {
          throw new ManifestException(pointer, "missing: a prebuilt manifest (withManifest / --manifest) must give "
              + "each image's absolute path, or build with Nix (withFlake / --flake)");
        }
        continue;
      }
      Path p = Path.of(ref.path());
      if (require && !Files.exists(p)) {
        throw new ManifestException(pointer, ref.path() + " does not exist");
      }
      out.put(key, new Image(key, ref.format(), ref.path(), p));
    }
    return new ImageSet(out);
  }
}
