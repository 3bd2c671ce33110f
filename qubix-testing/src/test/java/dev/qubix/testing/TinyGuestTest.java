package dev.qubix.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tiny guest helper reads and declares, without booting it (the microvm tests boot it). */
class TinyGuestTest {
  @TempDir Path state;

  @Test
  void bootCountsAreTheWholeMarkerLinesOfTheSerialLogOldestFirst() throws Exception {
    Path vm = Files.createDirectories(state.resolve(TinyGuest.vmName(TinyGuest.MACHINE)));
    byte[] log = ("[    0.1] kernel line \u00ff\n" + "QUBIX-BOOT-COUNT=1\n" + "QUBIX-READY\n"
        + "noise QUBIX-BOOT-COUNT=9\n" + "QUBIX-BOOT-COUNT=2 \r\n").getBytes(StandardCharsets.ISO_8859_1);
    Files.write(vm.resolve("serial.log"), log);

    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).containsExactly(1, 2);
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(2);
  }

  @Test
  void aGuestThatNeverBootedHasNoCounter() throws Exception {
    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).isEmpty();
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isZero();
  }

  @Test
  void noQemuRunsUnderAFreshFolder() {
    assertThat(TinyGuest.qemuUnder(state)).isEmpty();
  }

  @Test
  void theManifestForAPrebuiltImageIsTheTinyMachineBootingThatFolder() {
    Path image = state.resolve("images/tiny-direct");

    MachineManifest m = ManifestReader.read(TinyGuest.manifest(image).json(), TinyGuest.MACHINE);

    assertThat(m.vmName()).isEqualTo("qubix-tiny");
    assertThat(m.homeDisk().enable()).isTrue();
    assertThat(m.homeDisk().sizeMiB()).isEqualTo(64);
    assertThat(m.rdp().port()).isEqualTo(3389);
    assertThat(m.image("microvm")).get().satisfies(i -> {
      assertThat(i.format()).isEqualTo(ImageFormat.DIRECT);
      assertThat(i.path()).isEqualTo(image.toString());
      assertThat(i.storePath()).isNull();
    });
  }

  @Test
  void theApplianceIsTheTinyMachineOfTheFlakeUnderTheGivenState() {
    Path flake = state.resolve("flake");

    var tiny = TinyGuest.appliance(flake, state);

    assertThat(tiny.machine()).isEqualTo("tiny");
    assertThat(tiny.flake()).isEqualTo(flake);
    assertThat(tiny.stateDir()).isEqualTo(state);
  }
}
