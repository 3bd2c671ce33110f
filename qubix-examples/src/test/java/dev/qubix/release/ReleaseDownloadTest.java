package dev.qubix.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.event.ProgressListener;
import dev.qubix.release.internal.ReleaseCache;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.testing.ReleaseServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Using a release served over HTTP on 127.0.0.1: what is fetched, what is refused, and what stays untouched. */
class ReleaseDownloadTest {
  static final String IMAGE = "tiny-microvm.qcow2.gz";
  @TempDir Path tmp;
  Path release;
  Path state;

  @BeforeEach
  void makeRelease() throws Exception {
    release = tmp.resolve("release");
    state = tmp.resolve("state");
    TestRelease.make(tmp, release, true, null);
  }

  private static String sha256(Path f) throws Exception {
    return ReleaseCache.sha256Hex(Files.readAllBytes(f));
  }

  private static String sums(Path release) throws Exception {
    return Files.readString(release.resolve("SHA256SUMS"));
  }

  private long cachedImages() throws Exception {
    Path root = ReleaseCache.root(state);
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".qcow2")).count();
    }
  }

  @Test
  void anImageIsDownloadedVerifiedUnpackedAndCachedByItsHash() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      TestRelease.Copied copied = new TestRelease.Copied();

      ImageSet images = TestRelease.use(server.uri(), null, state, copied);

      Image microvm = images.get("microvm").orElseThrow();
      String sha = sha256(release.resolve(IMAGE));
      assertThat(microvm.file()).isEqualTo(ReleaseCache.root(state).resolve(sha).resolve("tiny-microvm.qcow2"));
      assertThat(Files.readAllBytes(microvm.file())).isEqualTo(TestRelease.imageBytes());
      assertThat(microvm.version()).isEqualTo(sha);
      assertThat(server.served(IMAGE)).isEqualTo(Files.size(release.resolve(IMAGE)));
      assertThat(copied.last).containsEntry(IMAGE, Files.size(release.resolve(IMAGE)));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(microvm.file().getParent()))).isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(microvm.file()))).isEqualTo("r--------");
      try (Stream<Path> s = Files.list(microvm.file().getParent())) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("tiny-microvm.qcow2", ".lock");
      }
    }
  }

  @Test
  void aSecondUseOfTheSameReleaseDownloadsNoImageByte() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      TestRelease.use(server.uri(), null, state, ProgressListener.NONE);
      long first = server.served(IMAGE);

      ImageSet again = TestRelease.use(server.uri(), null, state, ProgressListener.NONE);

      assertThat(server.served(IMAGE)).isEqualTo(first);
      assertThat(Files.readAllBytes(again.get("microvm").orElseThrow().file())).isEqualTo(TestRelease.imageBytes());
    }
  }

  @Test
  void aDownloadCutHalfwayResumesAndFetchesOnlyTheRest() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      long size = Files.size(release.resolve(IMAGE));
      server.cutOnce(IMAGE, size / 2);

      ImageSet images = TestRelease.use(server.uri(), null, state, ProgressListener.NONE);

      assertThat(Files.readAllBytes(images.get("microvm").orElseThrow().file())).isEqualTo(TestRelease.imageBytes());
      List<String> bodies = server.responses().stream().filter(r -> r.startsWith("/" + IMAGE)).toList();
      assertThat(bodies).hasSize(2);
      assertThat(bodies.get(0)).isEqualTo("/" + IMAGE + " -: " + (size / 2) + " bytes");
      // the client asks for the rest of what it kept (the last bytes before the cut may be lost in transit)
      long kept = Long.parseLong(bodies.get(1).replaceAll(".* bytes=(\\d+)-:.*", "$1"));
      assertThat(kept).isPositive().isLessThanOrEqualTo(size / 2);
      assertThat(bodies.get(1)).isEqualTo("/" + IMAGE + " bytes=" + kept + "-: " + (size - kept) + " bytes");
      assertThat(server.served(IMAGE)).isLessThan(size + size / 20);
    }
  }

  @Test
  void aPartialLeftByAnEarlierRunIsResumedWithARange() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      byte[] whole = Files.readAllBytes(release.resolve(IMAGE));
      Path entry = ReleaseCache.root(state).resolve(sha256(release.resolve(IMAGE)));
      Files.createDirectories(entry);
      Files.write(entry.resolve(IMAGE + ".partial"), java.util.Arrays.copyOf(whole, 1000));

      TestRelease.use(server.uri(), null, state, ProgressListener.NONE);

      assertThat(server.served(IMAGE)).isEqualTo(whole.length - 1000);
      assertThat(server.requests()).contains("GET /" + IMAGE + " bytes=1000-");
    }
  }

  @Test
  void serviceUnavailableIsRetriedWithBackoff() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      server.fail(IMAGE, 2);

      ImageSet images = TestRelease.use(server.uri(), null, state, ProgressListener.NONE);

      assertThat(images.get("microvm")).isPresent();
      assertThat(server.requests().stream().filter(r -> r.startsWith("GET /" + IMAGE))).hasSize(3);
    }
  }

  @Test
  void retriesAreBoundedAndTheErrorNamesStatusAndUrl() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      server.fail(IMAGE, 100);

      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(DownloadException.class)
          .hasMessageContaining("HTTP 503 from " + server.uri() + IMAGE).hasMessageContaining("after 3 attempts");
      assertThat(server.requests().stream().filter(r -> r.startsWith("GET /" + IMAGE))).hasSize(3);
    }
  }

  @Test
  void aMissingFileIsA404NamingTheUrl() throws Exception {
    Files.delete(release.resolve(IMAGE));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(DownloadException.class)
          .hasMessageStartingWith("HTTP 404 from " + server.uri() + IMAGE);
      assertThat(((ReleaseException) catchIt(server)).exitCode()).isEqualTo(13);
    }
  }

  private Throwable catchIt(ReleaseServer server) {
    try {
      TestRelease.use(server.uri(), null, state, ProgressListener.NONE);
      throw new AssertionError("expected a failure");
    } catch (ReleaseException e) {
      return e;
    }
  }

  @Test
  void aStalledBodyTimesOutNamingTheUrl() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      server.stall(2_000);
      dev.qubix.release.internal.ReleaseImageBuilder b = new dev.qubix.release.internal.ReleaseImageBuilder(null, null,
          new dev.qubix.release.internal.ReleaseSettings(1, java.time.Duration.ZERO, java.time.Duration.ZERO,
              java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(300)))
          .withLocation(server.uri());

      assertThatThrownBy(() -> b.manifestJson(TestRelease.context(state, ProgressListener.NONE)))
          .isInstanceOf(DownloadException.class)
          .hasMessageContaining("timed out: no data from " + server.uri() + "SHA256SUMS for 0.3 s");
    }
  }

  @Test
  void oneFlippedByteIsAChecksumErrorNamingFileAndBothHashesAndNothingIsCached() throws Exception {
    byte[] gz = Files.readAllBytes(release.resolve(IMAGE));
    String expected = sha256(release.resolve(IMAGE));
    gz[gz.length / 2] ^= 1;
    Files.write(release.resolve(IMAGE), gz);
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(ChecksumMismatchException.class)
          .hasMessageContaining("checksum mismatch for " + IMAGE)
          .hasMessageContaining("lists " + expected)
          .hasMessageContaining("has " + ReleaseCache.sha256Hex(gz));
      assertThat(cachedImages()).isZero();
      assertThat(Files.exists(ReleaseCache.root(state).resolve(expected).resolve(IMAGE + ".partial"))).isFalse();
    }
  }

  @Test
  void anImageMissingFromSha256SumsIsRefusedBeforeAnyImageByteIsFetched() throws Exception {
    Files.writeString(release.resolve("SHA256SUMS"), sums(release).lines().filter(l -> !l.endsWith(IMAGE))
        .map(l -> l + "\n").reduce("", String::concat));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(UnlistedFileException.class)
          .hasMessageStartingWith(IMAGE + " is not listed in " + server.uri() + "SHA256SUMS");
      assertThat(server.served(IMAGE)).isZero();
    }
  }

  @Test
  void aTruncatedGzipThatMatchesItsChecksumIsACorruptImage() throws Exception {
    byte[] gz = Files.readAllBytes(release.resolve(IMAGE));
    byte[] cut = java.util.Arrays.copyOf(gz, gz.length - 100);
    Files.write(release.resolve(IMAGE), cut);
    Files.writeString(release.resolve("SHA256SUMS"), sums(release).replace(ReleaseCache.sha256Hex(gz), ReleaseCache.sha256Hex(cut)));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(CorruptImageException.class)
          .hasMessageContaining(IMAGE + " from " + server.uri() + IMAGE + " is not a complete gzip file");
      assertThat(cachedImages()).isZero();
    }
  }

  @Test
  void aManifestThatFailsValidationIsAReleaseManifestError() throws Exception {
    String bad = Files.readString(release.resolve("qubix-manifest.json")).replace("\"cpuCount\" : 1", "\"cpuCount\" : 0");
    assertThat(bad).contains("\"cpuCount\" : 0");
    rewrite("qubix-manifest.json", bad);
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(ReleaseManifestException.class)
          .hasMessageContaining(server.uri() + "qubix-manifest.json fails validation")
          .hasMessageContaining("/machines/tiny/cpuCount");
    }
  }

  @Test
  void anImageFileOutsideTheReleaseFolderIsRefused() throws Exception {
    String manifest = Files.readString(release.resolve("qubix-manifest.json"));
    rewrite("qubix-manifest.json", manifest.replace("\"" + IMAGE + "\"", "\"images/" + IMAGE + "\""));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(ReleaseManifestException.class)
          .hasMessageContaining("/machines/tiny/images/microvm/file: 'images/" + IMAGE + "' must be a plain file name");
    }
    rewrite("qubix-manifest.json", manifest.replace("\"" + IMAGE + "\"", "\"../../etc/passwd\""));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(ReleaseManifestException.class)
          .hasMessageContaining("/machines/tiny/images/microvm/file: '../../etc/passwd'");
    }
  }

  @Test
  void aReleaseWithoutTheBackendsImageSaysSo() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      dev.qubix.release.internal.ReleaseImageBuilder b = new dev.qubix.release.internal.ReleaseImageBuilder(null, null, TestRelease.FAST)
          .withLocation(server.uri());
      var c = TestRelease.context(state, ProgressListener.NONE);
      var m = dev.qubix.manifest.ManifestReader.read(b.manifestJson(c), "tiny");

      assertThatThrownBy(() -> b.build(c, m, java.util.Set.of("hyperv", "home")))
          .isInstanceOf(MissingImageException.class)
          .hasMessageStartingWith("the release " + server.uri() + " has no hyperv image for tiny");
    }
  }

  @Test
  void aDiskThatFillsWhileUnpackingIsADiskFullErrorAndTheNextRunFetchesNothingAgain() throws Exception {
    Path devFull = Path.of("/dev/full");
    dev.qubix.testing.Requires.that(Files.exists(devFull), "/dev/full (a real ENOSPC)");
    Path entry = ReleaseCache.root(state).resolve(sha256(release.resolve(IMAGE)));
    Files.createDirectories(entry);
    // the unpacked image goes to the kernel's /dev/full: its own "No space left on device" on every write
    Files.createSymbolicLink(entry.resolve("tiny-microvm.qcow2.tmp"), devFull);
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(DiskFullException.class)
          .hasMessageContaining("the disk filled while writing " + entry.resolve("tiny-microvm.qcow2.tmp"))
          .hasMessageContaining("No space left on device");
      assertThat(cachedImages()).isZero();
      long served = server.served(IMAGE);

      ImageSet images = TestRelease.use(server.uri(), null, state, ProgressListener.NONE);

      assertThat(Files.readAllBytes(images.get("microvm").orElseThrow().file())).isEqualTo(TestRelease.imageBytes());
      assertThat(server.served(IMAGE)).isEqualTo(served);
    }
  }

  @Test
  void aDownloadLargerThanTheFreeSpaceIsRefusedBeforeWriting() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      server.declareLength(IMAGE, Long.MAX_VALUE / 2);

      assertThatThrownBy(() -> TestRelease.use(server.uri(), null, state, ProgressListener.NONE))
          .isInstanceOf(DiskFullException.class)
          .hasMessageContaining(server.uri() + IMAGE + " needs " + (Long.MAX_VALUE / 2) + " bytes but only");
      assertThat(cachedImages()).isZero();
    }
  }

  @Test
  void aLocalFolderIsUsedLikeADownload() throws Exception {
    ImageSet images = TestRelease.use(release.toUri(), null, state, ProgressListener.NONE);

    assertThat(Files.readAllBytes(images.get("microvm").orElseThrow().file())).isEqualTo(TestRelease.imageBytes());
  }

  /** Replaces a file and its SHA256SUMS line, as a consistent (but different) release would have it. */
  private void rewrite(String name, String content) throws Exception {
    String old = sha256(release.resolve(name));
    Files.writeString(release.resolve(name), content);
    Files.writeString(release.resolve("SHA256SUMS"), sums(release).replace(old, ReleaseCache.sha256Hex(content.getBytes(StandardCharsets.UTF_8))));
  }
}
