package dev.qubix.release.internal;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.Appliance;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ConfigurationException;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.ImageRef;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.manifest.ManifestWriter;
import dev.qubix.release.ReleaseKey;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageBuilder;
import dev.qubix.spi.ImageSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Writes a release folder (see {@link dev.qubix.release.ReleaseMaker}). */
public final class ReleaseWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final boolean compress;
  private final Optional<Path> signingKey;
  private final Optional<Set<String>> imageKeys;
  private final Optional<ImageBuilder> builder;
  private final Map<String, BuildContext> contexts = new TreeMap<>();

  public ReleaseWriter(Path dir, boolean compress, Optional<Path> signingKey, Optional<Set<String>> imageKeys,
      Optional<ImageBuilder> builder) {
    this.dir = dir;
    this.compress = compress;
    this.signingKey = signingKey;
    this.imageKeys = imageKeys;
    this.builder = builder;
  }

  public List<Path> write(List<Appliance> machines) {
    if (machines.isEmpty()) {
      throw new ConfigurationException("name at least one machine to put into the release");
    }
    checkTarget();
    signingKey.ifPresent(k -> {
      if (!Files.isRegularFile(k)) {
        throw new ConfigurationException("signing key " + k + " does not exist: pass an OpenSSH private key file "
            + "(make one with ssh-keygen -t ed25519 -f release-key)");
      }
    });
    ImageBuilder nix = builder.orElseGet(ReleaseWriter::serviceBuilder);
    // every error about names and images comes before the first build
    Map<String, MachineManifest> manifests = new TreeMap<>();
    Map<String, Set<String>> keysByMachine = new TreeMap<>();
    BuildContext context = null;
    for (Appliance a : machines) {
      Capture capture = new Capture(nix);
      MachineManifest m = a.withImageBuilder(capture).manifest();
      if (manifests.put(m.name(), m) != null) {
        throw new ConfigurationException("machine " + m.name() + " is named twice");
      }
      keysByMachine.put(m.name(), keys(m));
      context = context == null ? capture.context : context;
      contexts.put(m.name(), capture.context);
    }
    try {
      Files.createDirectories(dir);
      Map<String, String> fileByImage = new TreeMap<>();
      for (Map.Entry<String, MachineManifest> e : manifests.entrySet()) {
        MachineManifest m = e.getValue();
        BuildContext ctx = contexts.get(m.name());
        ImageSet built = nix.build(ctx, m, keysByMachine.get(m.name()));
        for (String key : keysByMachine.get(m.name())) {
          Image image = built.get(key).orElseThrow(() -> new QubixException("the build of " + m.name()
              + " returned no " + key + " image"));
          String name = m.name() + "-" + key + extension(m.images().get(key), image.file()) + (compress ? ".gz" : "");
          Path target = dir.resolve(name);
          if (compress) {
            FixedGzip.compress(image.file(), target, (done, total) -> ctx.listener().onEvent(
                new ProgressEvent.BytesCopied(name, done, total)));
          } else {
            Files.copy(image.file(), target);
          }
          fileByImage.put(m.name() + "/" + key, name);
        }
      }
      Files.write(dir.resolve(ReleaseImageBuilder.MANIFEST), manifest(manifests, fileByImage));
      Map<String, String> sums = new TreeMap<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          sums.put(f.getFileName().toString(), sha256(f));
        }
      }
      Files.write(dir.resolve(Sha256Sums.FILE), new Sha256Sums(sums).render());
      if (signingKey.isPresent()) {
        sign(context, signingKey.get());
      }
      try (Stream<Path> files = Files.list(dir)) {
        return files.sorted(Comparator.comparing(Path::toString)).toList();
      }
    } catch (IOException e) {
      throw new QubixException("cannot write the release into " + dir + ": " + e.getMessage(), e);
    }
  }

  private Set<String> keys(MachineManifest m) {
    Set<String> out = new LinkedHashSet<>();
    if (imageKeys.isPresent()) {
      for (String k : imageKeys.get().stream().sorted().toList()) {
        ImageRef ref = m.images().get(k);
        if (ref == null) {
          throw new ConfigurationException(m.name() + " has no image '" + k + "'; it has: "
              + String.join(", ", new TreeMap<>(m.images()).keySet()));
        }
        if (ref.format() == ImageFormat.DIRECT) {
          throw new ConfigurationException(m.name() + "'s " + k + " image is 'direct' (a kernel folder): a release "
              + "carries image files (qcow2, vhdx, raw)");
        }
        out.add(k);
      }
    } else {
      new TreeMap<>(m.images()).forEach((k, ref) -> {
        if (ref.format() != ImageFormat.DIRECT) {
          out.add(k);
        }
      });
    }
    if (out.isEmpty()) {
      throw new ConfigurationException(m.name() + " has no image that is a file (only 'direct' kernel folders): "
          + "nothing to put into a release");
    }
    return out;
  }

  private void checkTarget() {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new ConfigurationException(dir + " exists and is not a folder: name a new folder for the release");
      }
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new ConfigurationException(dir + " is not empty: name a new or empty folder for the release");
        }
      } catch (IOException e) {
        throw new ConfigurationException("cannot read " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The built manifest: every machine, its images' store paths replaced by the release's file names. */
  private static byte[] manifest(Map<String, MachineManifest> manifests, Map<String, String> fileByImage) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", ManifestReader.SCHEMA_VERSION);
    ObjectNode machines = root.putObject("machines");
    manifests.forEach((name, m) -> {
      ObjectNode o = (ObjectNode) readTree(ManifestWriter.toJson(m));
      o.path("images").fields().forEachRemaining(e -> {
        ObjectNode img = (ObjectNode) e.getValue();
        img.remove(List.of("storePath", "path", "file"));
        String file = fileByImage.get(name + "/" + e.getKey());
        if (file != null) {
          img.put("file", file);
        }
      });
      machines.set(name, o);
    });
    // "\n" on every OS: the same inputs give the same bytes
    DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n")).withArrayIndenter(new DefaultIndenter("  ", "\n"));
    String text = JSON.writer(pretty).writeValueAsString(root) + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String extension(ImageRef ref, Path file) {
    String name = file.getFileName().toString();
    return ref.format().extensions().stream().filter(name::endsWith).findFirst()
        .orElse(ref.format().extensions().isEmpty() ? "" : ref.format().extensions().get(0));
  }

  private void sign(BuildContext context, Path key) {
    Path sums = dir.resolve(Sha256Sums.FILE);
    CommandResult r = context.runner().run(Command.of("ssh-keygen", "-Y", "sign", "-f", key.toString(),
        "-n", ReleaseKey.NAMESPACE, sums.toString()).withTimeout(Duration.ofMinutes(2)).allowingFailure());
    if (!r.ok()) {
      throw new QubixException("ssh-keygen could not sign " + sums + " with " + key + " (exit " + r.exitCode() + "): "
          + String.join(" / ", r.stderrTail(5)) + " (a key with a passphrase needs ssh-agent; the key file must be "
          + "readable by you only)");
    }
    if (!Files.isRegularFile(dir.resolve(ReleaseImageBuilder.SIGNATURE))) {
      throw new QubixException("ssh-keygen did not write " + dir.resolve(ReleaseImageBuilder.SIGNATURE));
    }
  }

  private static String sha256(Path f) throws IOException {
    var d = ReleaseCache.sha256();
    try (InputStream in = Files.newInputStream(f)) {
      ReleaseCache.update(d, in);
    }
    return ReleaseCache.hex(d);
  }

  private static ImageBuilder serviceBuilder() {
    for (ClassLoader cl : List.of(ReleaseWriter.class.getClassLoader(), Thread.currentThread().getContextClassLoader())) {
      Optional<ImageBuilder> found = ServiceLoader.load(ImageBuilder.class, cl).stream()
          .map(ServiceLoader.Provider::get).filter(b -> !(b instanceof ReleaseImageBuilder)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new BackendUnavailableException("no image builder on the class path: add qubix-nix to make a release from a flake");
  }

  /** Sees the context Appliance builds for its manifest, to build the images with the same one. */
  private static final class Capture implements ImageBuilder {
    private final ImageBuilder delegate;
    private BuildContext context;

    Capture(ImageBuilder delegate) {
      this.delegate = delegate;
    }

    @Override
    public String manifestJson(BuildContext c) {
      this.context = c;
      return delegate.manifestJson(c);
    }

    @Override
    public ImageSet build(BuildContext c, MachineManifest machine, Set<String> keys) {
      return delegate.build(c, machine, keys);
    }
  }
}
