package dev.qubix.junit;

import static dev.qubix.junit.support.RecordingBackend.CALLS;
import static dev.qubix.junit.support.RecordingBackend.MANIFEST;
import static dev.qubix.junit.support.RecordingBackend.STATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.Endpoint;
import dev.qubix.Qubix;
import dev.qubix.junit.support.RecordingBackend;
import dev.qubix.junit.support.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The Startable adapter's lifecycle on an in-memory backend, directly and under {@code @Testcontainers}. */
class QubixStartableTest {
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  static Appliance box() {
    return Qubix.appliance("box").withManifest(Path.of(MANIFEST)).withBackend(RecordingBackend.NAME)
        .withStateDir(Path.of(STATE));
  }

  @BeforeEach
  void install() {
    RecordingBackend.install();
    SEEN.clear();
  }

  @AfterEach
  void uninstall() {
    RecordingBackend.uninstall();
  }

  @Test
  void startRecreatesAndStopDestroysKeepingHome() {
    QubixStartable vm = QubixStartable.of(box()).withoutAwaitRdp();

    vm.start();
    vm.start();
    assertThat(vm.isRunning()).isTrue();
    assertThat(vm.instance().name()).isEqualTo("qubix-box");
    assertThat(vm.endpoint()).isEqualTo(new Endpoint("127.0.0.1", 3389));
    vm.stop();
    vm.stop();

    assertThat(vm.isRunning()).isFalse();
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  @Test
  void withPurgeHomeStopDestroysEverythingAndCloseIsStop() {
    try (QubixStartable vm = QubixStartable.of(box()).withoutAwaitRdp().withPurgeHome()) {
      vm.start();
    }

    assertThat(CALLS).containsExactly("recreate qubix-box", "destroy qubix-box EVERYTHING");
  }

  @Test
  void instanceBeforeStartSaysHowToStartIt() {
    QubixStartable vm = QubixStartable.of(box());

    assertThatThrownBy(vm::instance).isInstanceOf(IllegalStateException.class)
        .hasMessage("Appliance[box] is not started: call start(), or annotate the field @Container in a "
            + "@Testcontainers class");
    assertThat(CALLS).isEmpty();
  }

  @Testcontainers
  static class AsContainer {
    @Container static QubixStartable shared = QubixStartable.of(box()).withoutAwaitRdp();

    @Test
    void first() {
      SEEN.add(shared.instance().status().orElseThrow().state() + " after " + CALLS);
    }

    @Test
    void second() {
      SEEN.add(shared.instance().status().orElseThrow().state() + " after " + CALLS);
    }
  }

  @Test
  void worksAsAContainerUnderTestcontainersWithoutDocker() {
    TestExecutionSummary s = Run.classes(AsContainer.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("RUNNING after [recreate qubix-box]", "RUNNING after [recreate qubix-box]");
    assertThat(CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }
}
