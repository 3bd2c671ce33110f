package dev.qubix.junit;

import static dev.qubix.junit.support.RecordingBackend.CALLS;
import static dev.qubix.junit.support.RecordingBackend.MANIFEST;
import static dev.qubix.junit.support.RecordingBackend.STATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.Qubix;
import dev.qubix.junit.support.RecordingBackend;
import dev.qubix.junit.support.Run;
import dev.qubix.spi.X224Probe;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The extension's lifecycle, on an in-memory backend: each case runs small fixture classes as a
 * JUnit run of its own and then reads what the backend was asked to do.
 */
class QubixExtensionTest {
  /** What the fixture classes saw while their tests ran. */
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE, awaitRdp = false)
  @interface Box {}

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE,
      awaitRdp = false, shared = true)
  @interface SharedBox {}

  @BeforeEach
  void install() {
    RecordingBackend.install();
    SEEN.clear();
  }

  @AfterEach
  void uninstall() {
    RecordingBackend.uninstall();
  }

  private static String seen(Instance vm) {
    return vm.name() + " " + vm.status().orElseThrow().state();
  }

  // ---- per class ----

  @ExtendWith(QubixExtension.class)
  static class PerClass {
    @Box static Instance staticVm;
    @Box Instance vm;

    @Test
    void first(@Box Instance param) {
      SEEN.addAll(List.of(seen(staticVm), seen(vm), seen(param)));
    }

    @Test
    void second(@Box Instance param) {
      SEEN.addAll(List.of(seen(staticVm), seen(vm), seen(param)));
    }
  }

  @Test
  void fieldsAndParametersOfAClassShareOneVmDestroyedAfterTheClassKeepingHome() {
    TestExecutionSummary s = Run.classes(PerClass.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(s.getTestsSucceededCount()).isEqualTo(2);
    assertThat(SEEN).hasSize(6).containsOnly("qubix-box RUNNING");
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  @Test
  void eachClassGetsItsOwnVm() {
    TestExecutionSummary s = Run.classes(PerClass.class, Purging.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME",
        "recreate qubix-box", "destroy qubix-box EVERYTHING");
  }

  // ---- purge ----

  @ExtendWith(QubixExtension.class)
  static class Purging {
    @Test
    void uses(@QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE,
        awaitRdp = false, purgeHome = true) Instance vm) {
      SEEN.add(seen(vm));
    }
  }

  @Test
  void purgeHomeDestroysTheHomeDiskToo() {
    TestExecutionSummary s = Run.classes(Purging.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("qubix-box RUNNING");
    assertThat(CALLS).containsExactly("recreate qubix-box", "destroy qubix-box EVERYTHING");
  }

  // ---- shared ----

  @ExtendWith(QubixExtension.class)
  static class SharedA {
    @SharedBox Instance vm;

    @Test
    void uses() {
      SEEN.add("A " + seen(vm) + " after " + CALLS);
    }
  }

  @ExtendWith(QubixExtension.class)
  static class SharedB {
    @Test
    void uses(@SharedBox Instance vm) {
      SEEN.add("B " + seen(vm) + " after " + CALLS);
    }
  }

  @Test
  void sharedVmServesEveryClassOfTheRunAndIsDestroyedWhenTheRunEnds() {
    TestExecutionSummary s = Run.classes(SharedA.class, SharedB.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactlyInAnyOrder("A qubix-box RUNNING after [recreate qubix-box]",
        "B qubix-box RUNNING after [recreate qubix-box]");
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  // ---- declared Appliance ----

  @ExtendWith(QubixExtension.class)
  static class Declared {
    @QubixAppliance(awaitRdp = false)
    static Appliance BOX = Qubix.appliance("box").withManifest(Path.of(MANIFEST))
        .withBackend(RecordingBackend.NAME).withStateDir(Path.of(STATE));

    @BeforeAll
    static void vmIsAlreadyRunning() {
      SEEN.add("beforeAll " + BOX.status().orElseThrow().state());
    }

    @Test
    void byName(@QubixAppliance("box") Instance vm) {
      SEEN.add(seen(vm));
    }

    @Test
    void byTheOnlyDeclaredOne(@QubixAppliance Instance vm) {
      SEEN.add(seen(vm));
    }
  }

  @Test
  void declaredApplianceStartsBeforeBeforeAllMethodsAndSuppliesInstancesByMachineName() {
    TestExecutionSummary s = Run.classes(Declared.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactlyInAnyOrder("beforeAll RUNNING", "qubix-box RUNNING", "qubix-box RUNNING");
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  // ---- misuse ----

  @ExtendWith(QubixExtension.class)
  static class WrongType {
    @QubixAppliance("box") String vm;

    @Test
    void never() {
      SEEN.add("ran");
    }
  }

  @ExtendWith(QubixExtension.class)
  static class ConflictingOptions {
    @Box static Instance kept;
    @QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE,
        awaitRdp = false, purgeHome = true) static Instance purged;

    @Test
    void never() {
      SEEN.add("ran");
    }
  }

  @ExtendWith(QubixExtension.class)
  static class NoMachine {
    @Test
    void never(@QubixAppliance Instance vm) {
      SEEN.add("ran");
    }
  }

  @Test
  void wrongFieldTypeFailsTheClassNamingTheFieldBeforeAnyVmStarts() {
    TestExecutionSummary s = Run.classes(WrongType.class);

    assertThat(Run.failures(s)).contains("@QubixAppliance on field WrongType.vm of type String: use dev.qubix.Instance");
    assertThat(SEEN).isEmpty();
    assertThat(CALLS).isEmpty();
  }

  @Test
  void oneApplianceWithConflictingOptionsIsRejectedBeforeAnyVmStarts() {
    TestExecutionSummary s = Run.classes(ConflictingOptions.class);

    assertThat(Run.failures(s)).contains("field ConflictingOptions.purged", "field ConflictingOptions.kept",
        "ask for the same appliance with different options");
    assertThat(SEEN).isEmpty();
    assertThat(CALLS).isEmpty();
  }

  @Test
  void parameterWithoutMachineAndNoDeclaredApplianceSaysWhatToWrite() {
    TestExecutionSummary s = Run.classes(NoMachine.class);

    assertThat(Run.failures(s)).contains("@QubixAppliance on parameter", "names no machine: write @QubixAppliance(\"tiny\")");
    assertThat(CALLS).isEmpty();
  }

  // ---- awaitRdp ----

  @ExtendWith(QubixExtension.class)
  static class AwaitsRdp {
    @QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE)
    Instance vm;

    @Test
    void uses() {
      ORDER.add("test body");
      SEEN.add(seen(vm));
    }
  }

  /** What happened, in order, across the fake guest's thread and the test body. */
  static final List<String> ORDER = new CopyOnWriteArrayList<>();

  static class RdpNeverAnswers {
    @org.junit.jupiter.api.extension.RegisterExtension
    static QubixExtension vm = QubixExtension.of(Qubix.appliance("box").withManifest(Path.of(MANIFEST))
            .withBackend(RecordingBackend.NAME).withStateDir(Path.of(STATE)))
        .waitingFor(WaitStrategy.rdp().withTimeout(java.time.Duration.ofSeconds(2)));

    @Test
    void neverRuns() {
      ORDER.add("test body");
    }
  }

  @Test
  void aGuestThatNeverAnswersX224NeverStartsTheTest() throws Exception {
    ORDER.clear();
    // a port that accepts and stays silent: open, but not xrdp
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      RecordingBackend.endpoint(new Endpoint("127.0.0.1", silent.getLocalPort()));

      TestExecutionSummary s = Run.classes(RdpNeverAnswers.class);

      assertThat(ORDER).as("the test body ran").isEmpty();
      assertThat(s.getTotalFailureCount()).isEqualTo(1);
      assertThat(s.getFailures().get(0).getException()).isInstanceOf(dev.qubix.OperationTimeoutException.class)
          .hasMessageContaining("RDP (X.224) to answer");
    }
  }

  @Test
  void awaitRdpStartsTheTestOnlyAfterTheGuestAnswersX224() throws Exception {
    ORDER.clear();
    try (ServerSocket rdp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      RecordingBackend.endpoint(new Endpoint("127.0.0.1", rdp.getLocalPort()));
      List<String> requests = new CopyOnWriteArrayList<>();
      Thread server = new Thread(() -> {
        try (Socket s = rdp.accept()) {
          InputStream in = s.getInputStream();
          requests.add(Arrays.equals(in.readNBytes(19), X224Probe.connectionRequest()) ? "X.224 CR" : "other");
          // logged before the reply: the test body can only run once the reply is out
          ORDER.add("guest answers X.224");
          // TPKT, X.224 Connection Confirm (0xD0), no negotiation response
          s.getOutputStream().write(new byte[] {0x03, 0x00, 0x00, 0x0b, 0x06, (byte) 0xd0, 0, 0, 0, 0, 0});
        } catch (Exception e) {
          requests.add("failed: " + e);
        }
      });
      server.start();

      TestExecutionSummary s = Run.classes(AwaitsRdp.class);
      server.join(5_000);

      assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
      assertThat(requests).containsExactly("X.224 CR");
      assertThat(ORDER).containsExactly("guest answers X.224", "test body");
      assertThat(SEEN).containsExactly("qubix-box RUNNING");
    }
  }
}
