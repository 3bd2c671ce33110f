package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TinyGuest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A run-wide VM of the real tiny guest; its teardown at the end of the run is checked on the in-memory backend. */
@ExtendWith(TinyGuest.SharedFlake.class)
@ExtendWith(QubixExtension.class)
class TinyGuestSharedTest {
  @QubixAppliance(value = "tiny", flake = TinyGuest.SHARED_FLAKE_DIR, backend = "microvm", stateDir = "target/tiny-state/shared",
      shared = true)
  Instance vm;

  @Test
  void sharedVmRunsTheTinyGuestAndAnswersRdp() {
    assertThat(vm.status()).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
    assertThat(vm.backendName()).isEqualTo("microvm");
    assertThat(X224Probe.answers(vm.endpoint(), Duration.ofSeconds(5))).isTrue();
  }
}
