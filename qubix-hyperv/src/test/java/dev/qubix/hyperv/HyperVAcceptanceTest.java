package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.hyperv.internal.HyperVPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real thing, on a Hyper-V host only: {@code QUBIX_HYPERV_IT=1}, an elevated shell (or Hyper-V
 * Administrators), a WSL distribution with Nix, and {@code QUBIX_FLAKE} pointing at a flake whose
 * machine {@code QUBIX_HYPERV_MACHINE} (default spotibox) builds a vhdx. The VM it makes is
 * purged at the end.
 */
@EnabledOnOs(OS.WINDOWS)
@EnabledIfEnvironmentVariable(named = "QUBIX_HYPERV_IT", matches = "1")
class HyperVAcceptanceTest {

  @Test
  void recreateTwiceKeepsHomeAndBaseImageThenStopDestroyAndPurge() throws Exception {
    String machine = System.getenv().getOrDefault("QUBIX_HYPERV_MACHINE", "spotibox");
    Appliance a = Qubix.appliance(machine).withBackend("hyperv")
        .withFlake(Path.of(System.getenv().getOrDefault("QUBIX_FLAKE", "nix")));
    BuiltAppliance built = a.build();
    HyperVPaths paths = HyperVPaths.of(built.manifest());

    Instance vm = built.recreate();
    assertThat(a.status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    Path base = Path.of(paths.baseImage(built.images().get("hyperv").orElseThrow()));
    Path home = Path.of(paths.homeDisk());
    long baseWritten = Files.getLastModifiedTime(base).toMillis();

    built.recreate();
    assertThat(Files.getLastModifiedTime(base).toMillis()).as("base image cached, not copied again").isEqualTo(baseWritten);
    assertThat(home).as("home disk kept across recreate").exists();

    vm.stop(Duration.ofMinutes(2));
    assertThat(a.status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.STOPPED);
    vm.destroy(Purge.KEEP_HOME);
    assertThat(a.status()).isEmpty();
    assertThat(home).as("destroy keeps the home disk").exists();
    assertThat(base).as("destroy never deletes a base image").exists();

    vm.destroy(Purge.EVERYTHING);
    assertThat(home).as("purge deletes the home disk").doesNotExist();
    assertThat(a.gc()).contains(base.toString());
  }
}
