package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.InstanceStatus;
import dev.qubix.Qubix;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The real tiny guest as a Testcontainers {@code @Container}: no Docker engine runs here. */
@ExtendWith(TinyGuest.SharedFlake.class)
@Testcontainers
class TinyGuestStartableTest {
  @Container
  static QubixStartable tiny = QubixStartable.of(Qubix.appliance("tiny").withFlake(Path.of(TinyGuest.SHARED_FLAKE_DIR))
      .withBackend("microvm").withStateDir(Path.of("target/tiny-state/startable")));

  @Test
  void containerIsTheRunningTinyGuest() {
    assertThat(tiny.instance().status()).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
    assertThat(X224Probe.answers(tiny.endpoint(), Duration.ofSeconds(5))).isTrue();
  }
}
