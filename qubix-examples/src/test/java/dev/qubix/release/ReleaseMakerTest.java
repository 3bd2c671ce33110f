package dev.qubix.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.ConfigurationException;
import dev.qubix.release.internal.ReleaseCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code release make} writes, and that it writes the same bytes twice. */
class ReleaseMakerTest {
  @TempDir Path tmp;

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theFolderHoldsManifestImagesAndSortedSums() throws Exception {
    Path dir = tmp.resolve("r");
    TestRelease.make(tmp, dir, true, null);

    assertThat(names(dir)).containsExactly("SHA256SUMS", "qubix-manifest.json", "tiny-microvm.qcow2.gz");
    assertThat(Files.readString(dir.resolve("SHA256SUMS"))).isEqualTo(
        ReleaseCache.sha256Hex(Files.readAllBytes(dir.resolve("qubix-manifest.json"))) + "  qubix-manifest.json\n"
        + ReleaseCache.sha256Hex(Files.readAllBytes(dir.resolve("tiny-microvm.qcow2.gz"))) + "  tiny-microvm.qcow2.gz\n");
    JsonNode m = new ObjectMapper().readTree(dir.resolve("qubix-manifest.json").toFile());
    assertThat(m.path("schemaVersion").asInt()).isEqualTo(3);
    JsonNode images = m.path("machines").path("tiny").path("images");
    assertThat(images.path("microvm").path("file").asText()).isEqualTo("tiny-microvm.qcow2.gz");
    assertThat(images.path("microvm").has("storePath")).isFalse();
    assertThat(images.path("hyperv").has("file")).isFalse();
    // the real sha256sum and gzip agree
    assertThat(TestRelease.run(dir, "sha256sum", "-c", "SHA256SUMS")).contains("tiny-microvm.qcow2.gz: OK");
    assertThat(TestRelease.run(dir, "gzip", "-t", "tiny-microvm.qcow2.gz")).isEmpty();
    Path unpacked = tmp.resolve("unpacked");
    new ProcessBuilder("gzip", "-dc", dir.resolve("tiny-microvm.qcow2.gz").toString()).redirectOutput(unpacked.toFile())
        .start().waitFor();
    assertThat(Files.readAllBytes(unpacked)).isEqualTo(TestRelease.imageBytes());
  }

  @Test
  void theSameInputsGiveTheSameBytesSignatureIncluded() throws Exception {
    Path key = TestRelease.sshKey(tmp.resolve("keys"), "publisher");
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    TestRelease.make(tmp.resolve("wa"), a, true, key);
    TestRelease.make(tmp.resolve("wb"), b, true, key);

    assertThat(names(a)).containsExactly("SHA256SUMS", "SHA256SUMS.sig", "qubix-manifest.json", "tiny-microvm.qcow2.gz");
    for (String name : names(a)) {
      assertThat(Files.readAllBytes(b.resolve(name))).as(name).isEqualTo(Files.readAllBytes(a.resolve(name)));
    }
    byte[] gz = Files.readAllBytes(a.resolve("tiny-microvm.qcow2.gz"));
    assertThat(java.util.Arrays.copyOfRange(gz, 3, 8)).as("gzip flags and modification time").containsOnly(0);
  }

  @Test
  void aFolderThatIsNotEmptyIsRefusedBeforeAnyBuild() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("r"));
    Files.writeString(dir.resolve("old"), "x");
    TestRelease.FakeNix nix = new TestRelease.FakeNix(tmp);

    assertThatThrownBy(() -> ReleaseMaker.into(dir).withImageBuilder(nix).make(List.of(dev.qubix.Qubix.appliance("tiny"))))
        .isInstanceOf(ConfigurationException.class).hasMessage(dir + " is not empty: name a new or empty folder for the release");
    assertThat(nix.builds).isEmpty();
  }

  @Test
  void githubShorthandIsThatReleasesDownloadFolder() {
    assertThat(Releases.location("github:qubix-dev/qubix@v1.2.0"))
        .hasToString("https://github.com/qubix-dev/qubix/releases/download/v1.2.0/");
    assertThat(Releases.location("github:qubix-dev/qubix"))
        .hasToString("https://github.com/qubix-dev/qubix/releases/latest/download/");
    assertThat(Releases.location("http://127.0.0.1:8080/r")).hasToString("http://127.0.0.1:8080/r/");
    assertThatThrownBy(() -> Releases.location("github:qubix/../x@v1")).isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> Releases.location("github:a/b@v1 ; rm")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is not a release tag");
    assertThatThrownBy(() -> Releases.location(tmp.resolve("absent").toString())).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("does not exist");
  }
}
