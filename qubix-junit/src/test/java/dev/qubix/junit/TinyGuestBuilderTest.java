package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.InstanceStatus;
import dev.qubix.OperationTimeoutException;
import dev.qubix.junit.support.Run;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The builder's wait strategies and log consumer on the real tiny guest (microvm): three boots. */
class TinyGuestBuilderTest {
  static final String STATE = "target/tiny-state/builder";
  static final List<String> SEEN = new CopyOnWriteArrayList<>();
  static final List<String> CONSOLE = new CopyOnWriteArrayList<>();

  static Appliance tiny() {
    return TinyGuest.appliance(TinyGuest.sharedFlake(), Path.of(STATE));
  }

  @ExtendWith(TinyGuest.SharedFlake.class)
  static class EveryWaitAndALogConsumer {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(tiny())
        // QUBIX-READY, not the earlier boot count: the guest says it just after its RDP stand-in listens, so
        // an RDP answer alone can come before the console shows that line
        .waitingFor(WaitStrategy.consoleLine("QUBIX-READY"), WaitStrategy.tcpPort(), WaitStrategy.rdp())
        .withLogConsumer(CONSOLE::add);

    @Test
    void readyMeansAllThree() {
      SEEN.add(vm.instance().status().map(InstanceStatus::state).orElseThrow() + " "
          + vm.console().lines().stream().filter(l -> l.startsWith("QUBIX-")).toList());
    }
  }

  @ExtendWith(TinyGuest.SharedFlake.class)
  static class NoWaitAndAFailure {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(tiny()).waitingFor(WaitStrategy.none()).withPurgeHome();

    @Test
    void failsOnceTheGuestIsReady() throws InterruptedException {
      SEEN.add("started " + vm.console().lines().contains("QUBIX-READY"));
      WaitStrategy.consoleLine("QUBIX-READY").withTimeout(Duration.ofSeconds(120)).waitUntilReady(vm.instance(), vm.console());
      throw new AssertionError("boom");
    }
  }

  @ExtendWith(TinyGuest.SharedFlake.class)
  static class ConsoleTimeout {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(tiny())
        .waitingFor(WaitStrategy.allOf(WaitStrategy.rdp(), WaitStrategy.consoleLine("NEVER-PRINTED")).withTimeout(Duration.ofSeconds(60)))
        .withPurgeHome();

    @Test
    void neverRuns() {
      SEEN.add("ran");
    }
  }

  @Test
  void consoleLineTcpAndRdpWaitsPassAndTheConsumerSeesEveryLine() {
    SEEN.clear();
    CONSOLE.clear();

    TestExecutionSummary s = Run.classes(EveryWaitAndALogConsumer.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).hasSize(1);
    assertThat(SEEN.get(0)).startsWith("RUNNING [").contains("QUBIX-BOOT-COUNT=").contains("QUBIX-READY");
    // the home disk is kept, so the guest was shut down cleanly, and the consumer saw that too
    assertThat(CONSOLE).contains("QUBIX-READY", "QUBIX-POWEROFF").anyMatch(l -> l.startsWith("QUBIX-BOOT-COUNT="));
    assertThat(tiny().status()).isEmpty();
  }

  @Test
  void noWaitStartsTheTestAtOnceAndAFailureCarriesTheLastConsoleLines() {
    SEEN.clear();

    TestExecutionSummary s = Run.classes(NoWaitAndAFailure.class);

    assertThat(SEEN).containsExactly("started false");
    assertThat(s.getTotalFailureCount()).isEqualTo(1);
    Throwable failure = s.getFailures().get(0).getException();
    assertThat(failure).hasMessage("boom");
    assertThat(failure.getSuppressed()).hasSize(1);
    assertThat(failure.getSuppressed()[0].getMessage()).startsWith("qubix-tiny: last ")
        .contains("serial.log").contains("QUBIX-BOOT-COUNT=").contains("QUBIX-READY");
    assertThat(tiny().status()).isEmpty();
  }

  @Test
  void aConsoleWaitThatTimesOutSaysWhatItWaitedForWithTheConsoleTail() {
    SEEN.clear();

    TestExecutionSummary s = Run.classes(ConsoleTimeout.class);

    assertThat(SEEN).isEmpty();
    assertThat(s.getTotalFailureCount()).isEqualTo(1);
    assertThat(s.getFailures().get(0).getException()).isInstanceOf(OperationTimeoutException.class)
        .hasMessageStartingWith("qubix-tiny: waited 60 s for a console line matching 'NEVER-PRINTED', in vain; "
            + "last console lines (")
        .hasMessageContaining("QUBIX-READY");
    assertThat(tiny().status()).isEmpty();
  }
}
