package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import dev.qubix.ManifestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {

  static String resource(String name) {
    try (var in = ManifestReaderTest.class.getResourceAsStream("/manifests/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void readsSchemaVersion3IntoTypedRecords() {
    MachineManifest m = ManifestReader.read(resource("spotibox-v3.json"), "spotibox");

    assertThat(m.hostName()).isEqualTo("spotibox");
    assertThat(m.vmName()).isEqualTo("qubix-spotibox");
    assertThat(m.cpuCount()).isEqualTo(2);
    assertThat(m.memoryStartup()).isEqualTo(new Memory(2L << 30));
    assertThat(m.maxMemory().toString()).isEqualTo("6 GiB");
    assertThat(m.network().isStatic()).isTrue();
    assertThat(m.network().staticIp()).isEqualTo(Ipv4.of("192.168.250.10"));
    assertThat(m.network().natSwitchSubnet().toString()).isEqualTo("192.168.250.0/24");
    assertThat(m.homeDisk()).isEqualTo(new HomeDisk(true, "qubix-home", 16384));
    assertThat(m.rdp()).isEqualTo(new Rdp("rdp", 3389, 1280, 800));
    assertThat(m.image("hyperv")).get().extracting(ImageRef::format).isEqualTo(ImageFormat.VHDX);
    assertThat(m.section("hyperv").orElseThrow().cursor().get("vmRoot").text()).isEqualTo("C:\\HyperV\\Qubix");
  }

  @Test
  void legacyV2AndV3OfTheSameMachineGiveEqualRecords() {
    MachineManifest v2 = ManifestReader.read(resource("spotibox-v2.json"), "spotibox");
    // v3's futureField is kept as a section (ManifestSectionsTest), and v2 has none
    MachineManifest v3 = ManifestReader.read(resource("spotibox-v3.json"), "spotibox", "{\"futureField\": null}");

    assertThat(v2).isEqualTo(v3);
  }

  @Test
  void legacySingleMachineDocumentIsAccepted() {
    String single = "{\"schemaVersion\":2,\"hostName\":\"box\",\"cpuCount\":1,\"memoryStartupBytes\":268435456,"
        + "\"maxMemoryBytes\":268435456,\"rdp\":{\"user\":\"rdp\"},\"package\":\"box-vhdx\"}";

    MachineManifest m = ManifestReader.read(single, "box");

    assertThat(m.vmName()).isEqualTo("qubix-box");
    assertThat(m.network().isStatic()).isFalse();
    assertThat(m.image("hyperv")).get().extracting(ImageRef::packageName).isEqualTo("box-vhdx");
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertThat(ManifestReader.read(resource("spotibox-v3.json"), "spotibox").name()).isEqualTo("spotibox");
  }

  @Test
  void unknownMachineListsTheKnownOnes() {
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json"), "spotify"))
        .isInstanceOf(ManifestException.class)
        .hasMessage("/machines/spotify: no machine named 'spotify' in the manifest; known machines: spotibox, other");
  }

  @Test
  void rejectsUnsupportedSchemaVersion() {
    assertThatThrownBy(() -> ManifestReader.read("{\"schemaVersion\":7,\"machines\":{}}", "x"))
        .hasMessageStartingWith("/schemaVersion: unsupported schemaVersion 7; Qubix reads schemaVersion 3");
  }

  @Test
  void rejectsInvalidJson() {
    assertThatThrownBy(() -> ManifestReader.read("{\"schemaVersion\":", "x"))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("manifest: not valid JSON");
  }

  @Test
  void rejectsTrailingGarbageAfterTheDocument() {
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json") + "garbage", "spotibox"))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("manifest: not valid JSON");
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json"), "spotibox", "{\"cpuCount\": 4}{"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("overrides are not valid JSON");
  }

  @Test
  void manifestFileThatIsNotUtf8SaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path f = tmp.resolve("latin1.json");
    java.nio.file.Files.write(f, new byte[] {'{', '"', (byte) 0xE9, '"', '}'});

    assertThatThrownBy(() -> ManifestReader.readDocument(f))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("is not UTF-8 text");
  }

  @Test
  void overridesAreAMergePatchValidatedLikeAnyValue() {
    MachineManifest m = ManifestReader.read(resource("spotibox-v3.json"), "spotibox",
        "{\"cpuCount\": 4, \"network\": {\"staticIp\": \"192.168.250.20\"}, \"mdnsName\": null}");

    assertThat(m.cpuCount()).isEqualTo(4);
    assertThat(m.network().staticIp()).isEqualTo(Ipv4.of("192.168.250.20"));
    assertThat(m.network().gateway()).isEqualTo(Ipv4.of("192.168.250.1"));
    assertThat(m.mdnsName()).isNull();
  }

  @Test
  void overridesThatBreakARuleAreRejected() {
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json"), "spotibox",
        "{\"network\": {\"staticIp\": \"192.168.251.10\"}}"))
        .hasMessage("/machines/spotibox/network/staticIp: 192.168.251.10 is outside natSwitchSubnet 192.168.250.0/24");
  }

  @Test
  void overridesMustBeAJsonObject() {
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json"), "spotibox", "[1]"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> ManifestReader.read(resource("spotibox-v3.json"), "spotibox", "{cpu"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void writerRoundTripsToEqualRecords() {
    MachineManifest m = ManifestReader.read(resource("spotibox-v3.json"), "spotibox");

    MachineManifest again = ManifestReader.read(ManifestWriter.toDocument(m), "spotibox");

    assertThat(again).isEqualTo(m);
  }

  @Test
  void machineNamesAreListed() {
    assertThat(ManifestReader.machineNames(resource("spotibox-v3.json"))).isEqualTo(List.of("spotibox", "other"));
  }
}
