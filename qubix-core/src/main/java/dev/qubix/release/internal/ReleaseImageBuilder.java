package dev.qubix.release.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.ConfigurationException;
import dev.qubix.ManifestException;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ImageRef;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.release.ChecksumMismatchException;
import dev.qubix.release.DownloadException;
import dev.qubix.release.MissingImageException;
import dev.qubix.release.ReleaseKey;
import dev.qubix.release.ReleaseManifestException;
import dev.qubix.release.ReleaseSignatureException;
import dev.qubix.release.UnlistedFileException;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.GcRoots;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageBuilder;
import dev.qubix.spi.ImageSet;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A release folder as an image source: no Nix. The manifest and the images come from the folder, and
 * nothing is used before it is checked: SHA256SUMS (and, with a release key, its signature) first,
 * then every file against SHA256SUMS. All checks that need no download happen before the first image
 * byte is fetched. Immutable: {@code with…} returns a copy.
 */
public final class ReleaseImageBuilder implements ImageBuilder {
  public static final String MANIFEST = "qubix-manifest.json";
  public static final String SIGNATURE = Sha256Sums.FILE + ".sig";
  private static final int SMALL = 4 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI location;
  private final ReleaseKey key;
  private final ReleaseSettings settings;

  public ReleaseImageBuilder(URI location, ReleaseKey key, ReleaseSettings settings) {
    this.location = location;
    this.key = key;
    this.settings = settings;
  }

  /** {@code current} when it already is a release builder (to add a location or a key to it), else a new one. */
  public static ReleaseImageBuilder from(ImageBuilder current) {
    return current instanceof ReleaseImageBuilder r ? r : new ReleaseImageBuilder(null, null, ReleaseSettings.DEFAULT);
  }

  public ReleaseImageBuilder withLocation(URI uri) {
    return new ReleaseImageBuilder(Locations.normalize(uri), key, settings);
  }

  public ReleaseImageBuilder withKey(ReleaseKey k) {
    return new ReleaseImageBuilder(location, k, settings);
  }

  public ReleaseImageBuilder withSettings(ReleaseSettings s) {
    return new ReleaseImageBuilder(location, key, s);
  }

  public Optional<URI> location() {
    return Optional.ofNullable(location);
  }

  @Override
  public String manifestJson(BuildContext context) {
    ReleaseSource source = source();
    Sha256Sums sums = verifiedSums(source);
    byte[] manifest = source.readSmall(MANIFEST, SMALL).orElseThrow(() -> new DownloadException(
        "no " + MANIFEST + " at " + source.describe(MANIFEST) + ": " + location + " is not a Qubix release folder"));
    requireListed(sums, MANIFEST, source);
    String actual = ReleaseCache.sha256Hex(manifest);
    String expected = sums.hashOf(MANIFEST).orElseThrow();
    if (!actual.equals(expected)) {
      throw new ChecksumMismatchException("checksum mismatch for " + MANIFEST + " (" + source.describe(MANIFEST)
          + "): SHA256SUMS lists " + expected + ", the file has " + actual + "; the release was not used");
    }
    String json = new String(manifest, StandardCharsets.UTF_8);
    validate(json, source);
    return json;
  }

  @Override
  public ImageSet build(BuildContext context, MachineManifest machine, Set<String> imageKeys) {
    ReleaseSource source = source();
    Sha256Sums sums = verifiedSums(source);
    Map<String, String> hashByKey = new LinkedHashMap<>();
    for (String k : imageKeys) {
      ImageRef ref = machine.images().get(k);
      if (ref == null) {
        continue;
      }
      if (ref.file() == null) {
        throw new MissingImageException("the release " + location + " has no " + k + " image for " + machine.name()
            + " (" + machine.pointer() + "/images/" + k + " names no file): it was made without it; use a release "
            + "made with that image, or another backend (--backend)");
      }
      if (ref.format() == ImageFormat.DIRECT) {
        throw new ReleaseManifestException(machine.pointer() + "/images/" + k + "/format: 'direct' images (a kernel "
            + "folder) cannot come from a release " + location + "; releases carry image files (qcow2, vhdx, raw)");
      }
      requireListed(sums, ref.file(), source);
      hashByKey.put(k, sums.hashOf(ref.file()).orElseThrow());
    }
    ReleaseCache cache = new ReleaseCache(context.stateDir(), context.listener());
    Map<String, Image> images = new LinkedHashMap<>();
    hashByKey.forEach((k, sha) -> {
      ImageRef ref = machine.images().get(k);
      Path file = cache.ensure(source, ref.file(), sha);
      images.put(k, new Image(k, ref.format(), cache.entry(sha).toString(), file));
    });
    return new ImageSet(images, GcRoots.NONE);
  }

  /** SHA256SUMS, and with a release key, only after its signature was verified. */
  private Sha256Sums verifiedSums(ReleaseSource source) {
    byte[] sums = source.readSmall(Sha256Sums.FILE, SMALL).orElseThrow(() -> new DownloadException(
        "no " + Sha256Sums.FILE + " at " + source.describe(Sha256Sums.FILE) + ": " + location
            + " is not a Qubix release folder (it must hold qubix-manifest.json, SHA256SUMS and the images)"));
    if (key != null) {
      byte[] sig = source.readSmall(SIGNATURE, SMALL).orElseThrow(() -> new ReleaseSignatureException(
          "the release " + location + " is not signed (no " + source.describe(SIGNATURE) + "), and a release key is "
              + "required (" + String.join(", ", key.fingerprints()) + "): use a signed release, or drop "
              + "--release-key / withReleaseKey if you trust this source without a signature"));
      SshSignature.verify(new String(sig, StandardCharsets.UTF_8), sums, key, source.describe(SIGNATURE));
    }
    try {
      return Sha256Sums.parse(sums, source.describe(Sha256Sums.FILE));
    } catch (IllegalArgumentException e) {
      throw new ReleaseManifestException(e.getMessage());
    }
  }

  private void requireListed(Sha256Sums sums, String name, ReleaseSource source) {
    if (sums.hashOf(name).isEmpty()) {
      throw new UnlistedFileException(name + " is not listed in " + source.describe(Sha256Sums.FILE)
          + ": Qubix uses no release file it cannot check; the release is incomplete (remake it with "
          + "'qubixctl release make')");
    }
  }

  /** Every machine must pass the manifest's own validation, and every image file must be a plain name. */
  private void validate(String json, ReleaseSource source) {
    String where = source.describe(MANIFEST);
    try {
      for (String machine : ManifestReader.machineNames(json)) {
        ManifestReader.read(json, machine);
      }
      JsonNode machines = JSON.readTree(json).path("machines");
      for (Iterator<Map.Entry<String, JsonNode>> m = machines.fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> e = m.next();
        for (Iterator<Map.Entry<String, JsonNode>> i = e.getValue().path("images").fields(); i.hasNext(); ) {
          Map.Entry<String, JsonNode> img = i.next();
          JsonNode file = img.getValue().get("file");
          if (file != null && (!file.isTextual() || !FileNames.isPlain(file.asText()))) {
            throw new ReleaseManifestException(where + ": /machines/" + e.getKey() + "/images/" + img.getKey()
                + "/file: '" + FileNames.printable(file.asText()) + "' must be a plain file name in the release folder "
                + "(no '/', '\\', '..' or control characters)");
          }
        }
      }
    } catch (ManifestException e) {
      throw new ReleaseManifestException(where + " fails validation: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ReleaseManifestException(where + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private ReleaseSource source() {
    if (location == null) {
      throw new ConfigurationException("a release key was given but no release: add withRelease(…) / --release URL-or-DIR");
    }
    return Locations.open(location, settings);
  }
}
