package dev.qubix.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.manifest.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a test declares with the builder is what ManifestReader reads back. */
class TestManifestTest {
  @Test
  void theSmallestMachineIsValidWithItsDocumentedDefaults() {
    MachineManifest m = ManifestReader.read(TestManifest.machine("box").json(), "box");

    assertThat(m.hostName()).isEqualTo("box");
    assertThat(m.vmName()).isEqualTo("qubix-box");
    assertThat(m.cpuCount()).isEqualTo(1);
    assertThat(m.memoryStartup().bytes()).isEqualTo(268435456L);
    assertThat(m.maxMemory().bytes()).isEqualTo(268435456L);
    assertThat(m.network().mode()).isEqualTo(Network.Kind.DHCP);
    assertThat(m.rdp().user()).isEqualTo("rdp");
    assertThat(m.images()).isEmpty();
  }

  @Test
  void everyWithLandsInItsField() {
    String doc = TestManifest.machine("spotibox").withVmName("qubix-other").withCpuCount(2)
        .withMemory(2147483648L, 6442450944L)
        .withStaticIp("192.168.250.10", 24, "192.168.250.1").withNatSwitch("192.168.250.0/24", "1.1.1.1")
        .withHomeDisk("qubix-home", 16384).withRdpPort(3390).withMdnsName("spotibox.local")
        .withImagePackage("microvm", "spotibox-qcow2", "qcow2")
        .json();

    MachineManifest m = ManifestReader.read(doc, "spotibox");

    assertThat(m.vmName()).isEqualTo("qubix-other");
    assertThat(m.cpuCount()).isEqualTo(2);
    assertThat(m.maxMemory().bytes()).isEqualTo(6442450944L);
    assertThat(m.network().mode()).isEqualTo(Network.Kind.STATIC);
    assertThat(m.network().staticIp()).hasToString("192.168.250.10");
    assertThat(m.network().prefixLength()).isEqualTo(24);
    assertThat(m.network().gateway()).hasToString("192.168.250.1");
    assertThat(m.network().nameservers()).extracting(Object::toString).containsExactly("1.1.1.1");
    assertThat(m.homeDisk().label()).isEqualTo("qubix-home");
    assertThat(m.homeDisk().sizeMiB()).isEqualTo(16384);
    assertThat(m.rdp().port()).isEqualTo(3390);
    assertThat(m.mdnsName()).isEqualTo("spotibox.local");
    assertThat(m.image("microvm")).get().satisfies(i -> {
      assertThat(i.packageName()).isEqualTo("spotibox-qcow2");
      assertThat(i.format()).isEqualTo(ImageFormat.QCOW2);
      assertThat(i.path()).isNull();
    });
  }

  @Test
  void aVariantLeavesItsBaseUnchanged() {
    TestManifest base = TestManifest.machine("box").withStaticIp("10.0.0.5", 24, "10.0.0.1");

    TestManifest dhcp = base.withDhcp();

    assertThat(ManifestReader.read(base.json(), "box").network().mode()).isEqualTo(Network.Kind.STATIC);
    assertThat(ManifestReader.read(dhcp.json(), "box").network().mode()).isEqualTo(Network.Kind.DHCP);
  }

  @Test
  void anImagePathWithQuotesAndBackslashesIsEscapedNotBroken(@TempDir Path tmp) {
    Path hostile = tmp.resolve("say \"hi\" back\\slash ünï");

    MachineManifest m = ManifestReader.read(TestManifest.machine("box").withImage("microvm", "direct", hostile).json(), "box");

    assertThat(m.image("microvm")).get().satisfies(i -> {
      assertThat(i.path()).isEqualTo(hostile.toString());
      assertThat(i.format()).isEqualTo(ImageFormat.DIRECT);
      assertThat(i.packageName()).isEqualTo("box-microvm");
    });
  }

  @Test
  void theHyperVSectionAndOtherFieldsGoInAsRawJson() throws Exception {
    String doc = TestManifest.machine("box")
        .withHyperV("{\"vmRoot\": \"C:\\\\HyperV\", \"generation\": 2}").with("mode", "\"debug\"").json();

    JsonNode machine = new ObjectMapper().readTree(doc).at("/machines/box");

    assertThat(machine.at("/hyperv/vmRoot").asText()).isEqualTo("C:\\HyperV");
    assertThat(machine.at("/hyperv/generation").asInt()).isEqualTo(2);
    assertThat(machine.at("/mode").asText()).isEqualTo("debug");
    assertThat(new ObjectMapper().readTree(doc).at("/schemaVersion").asInt()).isEqualTo(3);
  }

  @Test
  void rawJsonThatIsNotJsonNamesTheFieldAndTheFix() {
    assertThatThrownBy(() -> TestManifest.machine("box").with("mode", "debug"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mode").hasMessageContaining("not JSON").hasMessageContaining("quote a string");
  }

  @Test
  void writeToMakesTheFolderAndTheFileThatWithManifestReads(@TempDir Path tmp) throws Exception {
    TestManifest box = TestManifest.machine("box").withCpuCount(2);

    Path file = box.writeTo(tmp.resolve("deeper/m.json"));

    assertThat(Files.readString(file)).isEqualTo(box.json());
    assertThat(ManifestReader.read(file, "box", null).cpuCount()).isEqualTo(2);
  }
}
