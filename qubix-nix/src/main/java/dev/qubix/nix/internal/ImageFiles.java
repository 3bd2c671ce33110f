package dev.qubix.nix.internal;

import dev.qubix.ManifestException;
import dev.qubix.QubixException;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the image inside a built store path: the manifest's {@code file} when given; the path
 * itself when it is a file; the folder for {@code direct}, {@code rootfs} and {@code nixos-system};
 * else the one file with the format's extension.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** Returns the path relative to the store path ("" for the store path itself). */
  public static String locate(ImageRef ref, Path built, String pointer) {
    if (ref.file() != null) {
      if (!Files.exists(built.resolve(ref.file()))) {
        throw new ManifestException(pointer + "/file", ref.file() + " is not in the built output " + built);
      }
      return ref.file();
    }
    if (ref.format() == ImageFormat.DIRECT) {
      for (String required : List.of("kernel", "initrd")) {
        if (!Files.isRegularFile(built.resolve(required))) {
          throw new QubixException("the direct-boot image " + built + " has no " + required
              + " (a direct image is a folder with kernel, initrd and optionally kernel-params)");
        }
      }
      return "";
    }
    if (ref.format().isFolder()) {
      // rootfs, nixos-system: the output is the image; the backend checks its init before it starts
      return "";
    }
    if (Files.isRegularFile(built)) {
      return "";
    }
    try (Stream<Path> s = Files.list(built)) {
      List<Path> matches = s.filter(p -> ref.format().extensions().stream().anyMatch(e -> p.getFileName().toString().endsWith(e)))
          .sorted().toList();
      if (matches.size() != 1) {
        throw new QubixException("expected exactly one " + String.join("/", ref.format().extensions()) + " file in "
            + built + ", found " + matches.size() + ": set images." + ref.key() + ".file in the manifest");
      }
      return matches.get(0).getFileName().toString();
    } catch (IOException e) {
      throw new QubixException("cannot list " + built + ": " + e.getMessage(), e);
    }
  }
}
