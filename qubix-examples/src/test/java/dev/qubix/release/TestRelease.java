package dev.qubix.release;

import dev.qubix.Qubix;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.release.internal.ReleaseImageBuilder;
import dev.qubix.release.internal.ReleaseSettings;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageBuilder;
import dev.qubix.spi.ImageSet;
import dev.qubix.testing.Requires;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A small release made by {@link ReleaseMaker} from stand-in images (no Nix), and ways to use it. */
final class TestRelease {
  static final String MACHINE = "tiny";
  static final ReleaseSettings FAST = new ReleaseSettings(3, Duration.ofMillis(10), Duration.ofMillis(40),
      Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));

  private TestRelease() {}

  /** One machine; microvm is a qcow2 file, hyperv a vhdx; no home image. */
  static String manifest() {
    return "{\"schemaVersion\":3,\"machines\":{\"tiny\":{\"hostName\":\"tiny\",\"vmName\":\"qubix-tiny\",\"mode\":\"debug\","
        + "\"cpuCount\":1,\"memoryStartupBytes\":268435456,\"maxMemoryBytes\":268435456,\"network\":{\"mode\":\"dhcp\"},"
        + "\"homeDisk\":{\"enable\":true,\"label\":\"qubix-home\",\"sizeMiB\":64},"
        + "\"rdp\":{\"user\":\"rdp\",\"port\":3389,\"width\":1280,\"height\":800},"
        + "\"images\":{\"microvm\":{\"package\":\"tiny-qcow2\",\"format\":\"qcow2\",\"file\":\"tiny.qcow2\","
        + "\"storePath\":\"/nix/store/00000000000000000000000000000000-tiny-qcow2\"},"
        + "\"hyperv\":{\"package\":\"tiny-vhdx\",\"format\":\"vhdx\"}}}}}";
  }

  /** About 3 MB: half random (incompressible), half zeros, so gzip has work and a cut lands mid-body. */
  static byte[] imageBytes() {
    byte[] b = new byte[3 << 20];
    new Random(16).nextBytes(b);
    java.util.Arrays.fill(b, b.length / 2, b.length, (byte) 0);
    return b;
  }

  /** Stands in for qubix-nix: the manifest above and image files from a folder. */
  static final class FakeNix implements ImageBuilder {
    final Path images;
    final List<Set<String>> builds = new CopyOnWriteArrayList<>();

    FakeNix(Path images) {
      this.images = images;
    }

    @Override
    public String manifestJson(BuildContext context) {
      return manifest();
    }

    @Override
    public ImageSet build(BuildContext context, MachineManifest m, Set<String> keys) {
      builds.add(Set.copyOf(keys));
      Map<String, Image> out = new java.util.TreeMap<>();
      for (String k : keys) {
        Path store = images.resolve(k);
        out.put(k, new Image(k, m.images().get(k).format(), store.toString(), store.resolve("tiny." + m.images().get(k).format().jsonName())));
      }
      return new ImageSet(out);
    }
  }

  /** Writes the stand-in images and makes a release of the microvm image into {@code dir}. */
  static FakeNix make(Path work, Path dir, boolean compress, Path signingKey) throws IOException {
    Path store = work.resolve("store");
    Files.createDirectories(store.resolve("microvm"));
    Files.write(store.resolve("microvm/tiny.qcow2"), imageBytes());
    FakeNix nix = new FakeNix(store);
    ReleaseMaker maker = ReleaseMaker.into(dir).withCompression(compress).withImages(Set.of("microvm")).withImageBuilder(nix);
    if (signingKey != null) {
      maker = maker.withSigningKey(signingKey);
    }
    maker.make(List.of(Qubix.appliance(MACHINE).withStateDir(work.resolve("maker-state"))));
    return nix;
  }

  /** A new Ed25519 key pair made by the real ssh-keygen; returns the private key file ({@code .pub} beside it). */
  static Path sshKey(Path dir, String name) throws Exception {
    Requires.tool("ssh-keygen");
    Files.createDirectories(dir);
    Path key = dir.resolve(name);
    run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@test", "-f", key.toString());
    return key;
  }

  /** Signs {@code file} as {@code ssh-keygen -Y sign} does (writes {@code file.sig}). */
  static void sign(Path key, Path file, String namespace) throws Exception {
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".sig"));
    run(file.getParent(), "ssh-keygen", "-q", "-Y", "sign", "-f", key.toString(), "-n", namespace, file.toString());
  }

  static String run(Path dir, String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
    return out;
  }

  /** A context as Appliance makes one (the tests call the builder directly). */
  static BuildContext context(Path stateDir, ProgressListener listener) {
    return BuildContext.of(stateDir.resolve("flake"), stateDir, new ProcessCommandRunner(listener), listener,
        Duration.ofMinutes(1), HostInfo.current(), List.of());
  }

  /** Uses a release as Appliance would: manifest, then the images the microvm backend needs. */
  static ImageSet use(URI release, ReleaseKey key, Path stateDir, ProgressListener listener) {
    ReleaseImageBuilder b = new ReleaseImageBuilder(null, null, FAST).withLocation(release);
    if (key != null) {
      b = b.withKey(key);
    }
    BuildContext c = context(stateDir, listener);
    MachineManifest m = ManifestReader.read(b.manifestJson(c), MACHINE);
    return b.build(c, m, Set.of("microvm", "home"));
  }

  /** Bytes that BytesCopied events reported as newly copied, summed per file. */
  static final class Copied implements ProgressListener {
    final Map<String, Long> last = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onEvent(ProgressEvent e) {
      if (e instanceof ProgressEvent.BytesCopied b) {
        last.put(b.what(), b.done());
      }
    }
  }
}
