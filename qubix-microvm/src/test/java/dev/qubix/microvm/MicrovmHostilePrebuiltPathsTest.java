package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.manifest.ManifestWriter;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same hostile folder names for a prebuilt manifest (no Nix): its image folder, the manifest
 * file and the state folder, through recreate → connect → destroy.
 */
class MicrovmHostilePrebuiltPathsTest {
  @TempDir static Path shared;
  static Path direct;
  static ObjectNode machine;
  @TempDir Path work;

  @BeforeAll
  static void builtOnce() {
    Path flake = TinyGuest.flake(shared.resolve("tiny-flake"));
    Appliance a = Qubix.appliance("tiny").withFlake(flake).withBackend("microvm").withStateDir(shared.resolve("state"));
    direct = a.build().images().get("microvm").orElseThrow().file();
    machine = ManifestWriter.toJson(a.manifest());
  }

  @AfterEach
  void noQemuLeft() {
    assertThat(TinyGuest.qemuUnder(work)).as("QEMU left running").isEmpty();
  }

  static Stream<String> names() {
    return MicrovmHostilePathsTest.NAMES.stream();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("names")
  void aPrebuiltImageManifestAndStateOfThisNameRunTheWholeLifecycle(String name) throws Exception {
    Path images = Files.createDirectories(work.resolve(name).resolve("images " + name));
    Path folder = MicrovmHostilePathsTest.linkedCopy(direct, images.resolve("direct " + name));
    ObjectNode m = machine.deepCopy();
    ((ObjectNode) m.with("images").with("microvm")).put("path", folder.toString()).remove("storePath");
    ((ObjectNode) m.with("images")).remove("home");
    ObjectMapper json = new ObjectMapper();
    ObjectNode doc = json.createObjectNode().put("schemaVersion", 3);
    doc.putObject("machines").set("tiny", m);
    Path manifest = Files.writeString(work.resolve(name).resolve("manifest " + name + ".json"), json.writeValueAsString(doc));
    Path state = work.resolve(name).resolve("state " + name);
    Appliance tiny = Qubix.appliance("tiny").withManifest(manifest).withBackend("microvm").withStateDir(state);

    tiny.build().recreate().connect(ConnectOptions.defaults().withoutClient());

    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(1);
    tiny.destroy(Purge.EVERYTHING);
    assertThat(state.resolve("qubix-tiny")).doesNotExist();
  }
}
