package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.Instance;
import dev.qubix.Qubix;
import dev.qubix.junit.support.Run;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TinyGuest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The extension on the real tiny guest and the microvm backend: one boot, per class. */
class TinyGuestExtensionTest {
  static final String STATE = "target/tiny-state/per-class";
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.FIELD, ElementType.PARAMETER})
  @QubixAppliance(value = "tiny", flake = TinyGuest.SHARED_FLAKE_DIR, backend = "microvm", stateDir = STATE)
  @interface Tiny {}

  @ExtendWith(QubixExtension.class)
  static class PerClass {
    @Tiny static Instance vm;

    @Test
    void guestRunsAndAnswersRdp(@Tiny Instance param) {
      SEEN.add(param.name() + " " + param.status().orElseThrow().state() + " same=" + (param == vm)
          + " rdp=" + X224Probe.answers(vm.endpoint(), Duration.ofSeconds(5)));
    }
  }

  @Test
  void perClassVmBootsTheTinyGuestAndIsDestroyedAfterTheClassKeepingHome() throws Exception {
    Path flake = TinyGuest.sharedFlake();
    Appliance tiny = Qubix.appliance("tiny").withFlake(flake).withBackend("microvm").withStateDir(Path.of(STATE));

    TestExecutionSummary s = Run.classes(PerClass.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    String vmName = tiny.manifest().vmName();
    assertThat(SEEN).containsExactly(vmName + " RUNNING same=true rdp=true");
    assertThat(tiny.status()).isEmpty();
    try (var files = Files.list(Path.of(STATE, vmName))) {
      assertThat(files.map(p -> p.getFileName().toString())).contains("home.qcow2");
    }
  }
}
