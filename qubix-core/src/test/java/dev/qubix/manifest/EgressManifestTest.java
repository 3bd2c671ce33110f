package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.qubix.ManifestException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** network.egress as nix/lib/manifest.nix writes it (qubix.network.egress). */
class EgressManifestTest {
  private static final String BASE = ManifestReaderTest.resource("spotibox-v3.json");

  @Test
  void allowlistModeAndDomainsAreRead() {
    String override = "{\"network\": {\"egress\": {\"mode\": \"allowlist\", \"domains\": [\"spotify.com\", \"scdn.co\"]}}}";

    MachineManifest m = ManifestReader.read(BASE, "spotibox", override);

    assertThat(m.network().egress()).isEqualTo(new Egress(EgressMode.ALLOWLIST, List.of("spotify.com", "scdn.co")));
  }

  @Test
  void manifestWithoutEgressMeansOpen() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"network\": {\"egress\": null}}");

    assertThat(m.network().egress()).isEqualTo(Egress.open());
  }

  @Test
  void unknownModeIsAManifestExceptionNamingThePointer() {
    ManifestException e = catchThrowableOfType(
        () -> ManifestReader.read(BASE, "spotibox", "{\"network\": {\"egress\": {\"mode\": \"proxy\"}}}"),
        ManifestException.class);

    assertThat(e.violations()).extracting(ManifestException.Violation::pointer)
        .containsExactly("/machines/spotibox/network/egress/mode");
  }

  @Test
  void writerKeepsTheEgressForTheNextReader() {
    String override = "{\"network\": {\"egress\": {\"mode\": \"allowlist\", \"domains\": [\"spotify.com\"]}}}";
    MachineManifest m = ManifestReader.read(BASE, "spotibox", override);

    String written = "{\"schemaVersion\": 3, \"machines\": {\"spotibox\": " + ManifestWriter.toJson(m) + "}}";

    assertThat(ManifestReader.read(written, "spotibox").network().egress()).isEqualTo(m.network().egress());
  }
}
