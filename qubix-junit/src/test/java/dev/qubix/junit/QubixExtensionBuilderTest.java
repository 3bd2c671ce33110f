package dev.qubix.junit;

import static dev.qubix.junit.support.RecordingBackend.CALLS;
import static dev.qubix.junit.support.RecordingBackend.MANIFEST;
import static dev.qubix.junit.support.RecordingBackend.STATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.OperationTimeoutException;
import dev.qubix.Qubix;
import dev.qubix.junit.support.RecordingBackend;
import dev.qubix.junit.support.Run;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** {@code @RegisterExtension QubixExtension.of(appliance)…}, on the in-memory backend. */
class QubixExtensionBuilderTest {
  static final List<String> SEEN = new CopyOnWriteArrayList<>();
  static final Appliance BOX = Qubix.appliance("box").withManifest(Path.of(MANIFEST)).withBackend(RecordingBackend.NAME)
      .withStateDir(Path.of(STATE));
  static int closedPort;

  @BeforeEach
  void install() throws Exception {
    RecordingBackend.install();
    SEEN.clear();
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterEach
  void uninstall() {
    RecordingBackend.uninstall();
  }

  static class PerClass {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(BOX).waitingFor(WaitStrategy.none());

    @Test
    void first() {
      SEEN.add(vm.instance().name() + " " + vm.instance().status().orElseThrow().state());
    }

    @Test
    void second() {
      SEEN.add(vm.instance().name() + " " + vm.instance().status().orElseThrow().state());
    }
  }

  static class PerTestMethod {
    @RegisterExtension QubixExtension vm = QubixExtension.of(BOX).waitingFor(WaitStrategy.none()).withPurgeHome();

    @Test
    void first() {
      SEEN.add(vm.instance().name());
    }

    @Test
    void second() {
      SEEN.add(vm.instance().name());
    }
  }

  static class TcpTimeout {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(BOX)
        .waitingFor(WaitStrategy.tcpPort("127.0.0.1", closedPort).withTimeout(Duration.ofSeconds(1)));

    @Test
    void neverRuns() {
      SEEN.add("ran");
    }
  }

  static class FailingOne {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(BOX).waitingFor(WaitStrategy.none());

    @Test
    void fails() {
      throw new AssertionError("boom");
    }
  }

  @Test
  void aStaticFieldGivesOneVmForTheClassDestroyedAfterItKeepingHome() {
    TestExecutionSummary s = Run.classes(PerClass.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("qubix-box RUNNING", "qubix-box RUNNING");
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  @Test
  void anInstanceFieldGivesEachTestItsOwnVm() {
    TestExecutionSummary s = Run.classes(PerTestMethod.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("qubix-box", "qubix-box");
    assertThat(CALLS).containsExactly("recreate qubix-box", "destroy qubix-box EVERYTHING",
        "recreate qubix-box", "destroy qubix-box EVERYTHING");
  }

  @Test
  void aTcpWaitThatTimesOutSaysWhatItWaitedForAndDestroysTheVm() {
    TestExecutionSummary s = Run.classes(TcpTimeout.class);

    assertThat(SEEN).isEmpty();
    assertThat(s.getTotalFailureCount()).isEqualTo(1);
    Throwable failure = s.getFailures().get(0).getException();
    assertThat(failure).isInstanceOf(OperationTimeoutException.class)
        .hasMessageStartingWith("qubix-box: waited 1 s for TCP port 127.0.0.1:" + closedPort + " to accept, in vain")
        .hasMessageContaining("the " + RecordingBackend.NAME + " backend keeps no console log");
    assertThat(CALLS).contains("recreate qubix-box").last().asString().startsWith("destroy qubix-box");
  }

  @Test
  void aFailingTestGetsTheConsoleTailAttached() {
    TestExecutionSummary s = Run.classes(FailingOne.class);

    assertThat(s.getTotalFailureCount()).isEqualTo(1);
    Throwable failure = s.getFailures().get(0).getException();
    assertThat(failure).hasMessage("boom");
    assertThat(failure.getSuppressed()).hasSize(1);
    assertThat(failure.getSuppressed()[0].getMessage()).startsWith("qubix-box: last 0 console lines");
  }

  @Test
  void waitDescriptionsSayWhatTheyWaitFor() {
    WaitStrategy all = WaitStrategy.allOf(WaitStrategy.consoleLine("READY"), WaitStrategy.rdp(), WaitStrategy.tcpPort());

    assertThat(all.description()).isEqualTo("a console line matching 'READY', then RDP (X.224) to answer, "
        + "then the RDP endpoint's TCP port to accept");
    assertThat(((WaitStrategy.All) all.withTimeout(Duration.ofSeconds(7))).strategies())
        .allSatisfy(w -> assertThat(w).hasFieldOrPropertyWithValue("timeout", Duration.ofSeconds(7)));
    assertThat(WaitStrategy.none().description()).isEqualTo("nothing");
  }

  @Test
  void configuringTheDeclarativeExtensionIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new QubixExtension().withPurgeHome())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("QubixExtension.of(appliance)");
  }
}
