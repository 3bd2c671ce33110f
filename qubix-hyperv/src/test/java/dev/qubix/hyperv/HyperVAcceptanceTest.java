package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs only on a Hyper-V host with QUBIX_HYPERV_IT=1, elevated, with QUBIX_FLAKE pointing at a
 * flake whose machine QUBIX_HYPERV_MACHINE (default spotibox) builds in the WSL distro.
 */
@EnabledOnOs(OS.WINDOWS)
@EnabledIfEnvironmentVariable(named = "QUBIX_HYPERV_IT", matches = "1")
class HyperVAcceptanceTest {

  @Test
  void recreateStatusStopDestroyOnARealHost() {
    String machine = System.getenv().getOrDefault("QUBIX_HYPERV_MACHINE", "spotibox");
    var a = Qubix.appliance(machine).withBackend("hyperv")
        .withFlake(Path.of(System.getenv().getOrDefault("QUBIX_FLAKE", "nix")));

    var vm = a.build().recreate();
    assertThat(a.status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    vm.stop(Duration.ofMinutes(2));
    assertThat(a.status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.STOPPED);
    vm.destroy(Purge.KEEP_HOME);
    assertThat(a.status()).isEmpty();
  }
}
