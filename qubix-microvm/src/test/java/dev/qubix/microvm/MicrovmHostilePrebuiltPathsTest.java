package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Purge;
import dev.qubix.Qubix;
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
  @TempDir Path work;

  @BeforeAll
  static void builtOnce() {
    direct = TinyGuest.prebuiltImage(TinyGuest.flake(shared.resolve("tiny-flake")), shared.resolve("state"));
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
    Path manifest = TinyGuest.manifest(folder).writeTo(work.resolve(name).resolve("manifest " + name + ".json"));
    Path state = work.resolve(name).resolve("state " + name);
    Appliance tiny = Qubix.appliance("tiny").withManifest(manifest).withBackend("microvm").withStateDir(state);

    tiny.build().recreate().connect(ConnectOptions.defaults().withoutClient());

    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(1);
    tiny.destroy(Purge.EVERYTHING);
    assertThat(state.resolve("qubix-tiny")).doesNotExist();
  }
}
