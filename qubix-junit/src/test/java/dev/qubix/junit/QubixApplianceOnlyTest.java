package dev.qubix.junit;

import static dev.qubix.junit.support.RecordingBackend.MANIFEST;
import static dev.qubix.junit.support.RecordingBackend.STATE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Instance;
import dev.qubix.junit.support.RecordingBackend;
import dev.qubix.junit.support.Run;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** {@code @QubixAppliance} alone, with no {@code @ExtendWith} anywhere, gives tests their VM. */
class QubixApplianceOnlyTest {
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE, awaitRdp = false)
  @interface Box {}

  @BeforeEach
  void install() {
    RecordingBackend.install();
    SEEN.clear();
  }

  @AfterEach
  void uninstall() {
    RecordingBackend.uninstall();
  }

  static class StaticField {
    @Box static Instance vm;

    @Test
    void sees() {
      SEEN.add("static " + vm.status().orElseThrow().state());
    }
  }

  static class InstanceField {
    @Box Instance vm;

    @Test
    void sees() {
      SEEN.add("field " + vm.status().orElseThrow().state());
    }
  }

  static class ParameterOnly {
    @Test
    void sees(@Box Instance vm) {
      SEEN.add("parameter " + vm.status().orElseThrow().state());
    }
  }

  static class DirectAnnotationOnAParameter {
    @Test
    void sees(@QubixAppliance(value = "box", manifest = MANIFEST, backend = RecordingBackend.NAME, stateDir = STATE,
        awaitRdp = false) Instance vm) {
      SEEN.add("direct " + vm.status().orElseThrow().state());
    }
  }

  @Test
  void aStaticFieldNeedsNoExtendWith() {
    TestExecutionSummary s = Run.classes(StaticField.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("static RUNNING");
    assertThat(RecordingBackend.CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  @Test
  void anInstanceFieldNeedsNoExtendWith() {
    TestExecutionSummary s = Run.classes(InstanceField.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactly("field RUNNING");
    assertThat(RecordingBackend.CALLS).containsExactly("recreate qubix-box", "stop qubix-box", "destroy qubix-box KEEP_HOME");
  }

  @Test
  void aParameterNeedsNoExtendWith() {
    TestExecutionSummary s = Run.classes(ParameterOnly.class, DirectAnnotationOnAParameter.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(SEEN).containsExactlyInAnyOrder("parameter RUNNING", "direct RUNNING");
  }
}
