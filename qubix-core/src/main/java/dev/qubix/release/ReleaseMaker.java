package dev.qubix.release;

import dev.qubix.Appliance;
import dev.qubix.ConfigurationException;
import dev.qubix.release.internal.ReleaseWriter;
import dev.qubix.spi.ImageBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Makes a release folder from appliances built with Nix (one Nix process per machine, as
 * {@code build} runs): the manifest (with {@code file} names instead of store paths), the image
 * files (optionally gzip-compressed), a sorted {@code SHA256SUMS}, and optionally
 * {@code SHA256SUMS.sig} made by {@code ssh-keygen -Y sign -n qubix-release} with the given private key
 * file (Qubix never reads the private key). The same inputs give the same bytes. Immutable:
 * {@code with…} returns a copy.
 */
public final class ReleaseMaker {
  private final Path dir;
  private final boolean compress;
  private final Path signingKey;
  private final Set<String> imageKeys;
  private final ImageBuilder builder;

  private ReleaseMaker(Path dir, boolean compress, Path signingKey, Set<String> imageKeys, ImageBuilder builder) {
    this.dir = dir;
    this.compress = compress;
    this.signingKey = signingKey;
    this.imageKeys = imageKeys;
    this.builder = builder;
  }

  /** A maker that writes into {@code dir}, which must not exist or be empty. */
  public static ReleaseMaker into(Path dir) {
    return new ReleaseMaker(Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize(), false, null, null, null);
  }

  /** gzip each image ({@code .gz}, fixed header: no time, no name). */
  public ReleaseMaker withCompression(boolean on) {
    return new ReleaseMaker(dir, on, signingKey, imageKeys, builder);
  }

  /** Signs SHA256SUMS with this OpenSSH private key file (passed to {@code ssh-keygen -Y sign -f}). */
  public ReleaseMaker withSigningKey(Path privateKeyFile) {
    return new ReleaseMaker(dir, compress, Objects.requireNonNull(privateKeyFile, "signing key").toAbsolutePath(),
        imageKeys, builder);
  }

  /** Only these images of each machine (default: every image that is a file: not {@code direct}). */
  public ReleaseMaker withImages(Set<String> keys) {
    if (keys != null && keys.isEmpty()) {
      throw new ConfigurationException("the image list is empty: name at least one image key (e.g. microvm, hyperv, home)");
    }
    return new ReleaseMaker(dir, compress, signingKey, keys == null ? null : Set.copyOf(keys), builder);
  }

  /** Builds with this image builder instead of the one ServiceLoader finds (qubix-nix). */
  public ReleaseMaker withImageBuilder(ImageBuilder b) {
    return new ReleaseMaker(dir, compress, signingKey, imageKeys, b);
  }

  /** Builds every machine's images and writes the folder; returns the files written, in name order. */
  public List<Path> make(List<Appliance> machines) {
    return new ReleaseWriter(dir, compress, Optional.ofNullable(signingKey), Optional.ofNullable(imageKeys),
        Optional.ofNullable(builder)).write(machines);
  }
}
