package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.Purge;
import dev.qubix.junit.support.Run;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** withReuse() on the tiny guest: runs two and three boot nothing while nothing changed; a change recreates. */
class TinyGuestReuseTest {
  static final String STATE = "target/tiny-state/reuse";
  /** pid of QEMU and the boot counter the guest printed, per fixture run. */
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  static Appliance tiny() {
    return TinyGuest.appliance(TinyGuest.sharedFlake(), Path.of(STATE));
  }

  static void see(QubixExtension vm) {
    String count = vm.console().lines().stream().filter(l -> l.startsWith("QUBIX-BOOT-COUNT=")).reduce((a, b) -> b)
        .orElse("none");
    SEEN.add(vm.instance().status().orElseThrow().details().get("pid") + " " + count);
  }

  @ExtendWith(TinyGuest.SharedFlake.class)
  static class Reusing {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(tiny()).withReuse()
        .waitingFor(WaitStrategy.consoleLine("QUBIX-READY"));

    @Test
    void sees() {
      see(vm);
    }
  }

  @ExtendWith(TinyGuest.SharedFlake.class)
  static class ReusingWithAnotherManifest {
    @RegisterExtension static QubixExtension vm = QubixExtension.of(tiny().withOverrides("{\"cpuCount\":2}")).withReuse()
        .waitingFor(WaitStrategy.consoleLine("QUBIX-READY"));

    @Test
    void sees() {
      see(vm);
    }
  }

  @AfterEach
  void cleanUp() {
    System.clearProperty("qubix.reuse.enable");
    tiny().destroy(Purge.EVERYTHING);
  }

  @Test
  void aReusedVmBootsNothingUntilItsManifestChanges() {
    System.setProperty("qubix.reuse.enable", "true");
    SEEN.clear();

    TestExecutionSummary first = Run.classes(Reusing.class);
    TestExecutionSummary second = Run.classes(Reusing.class);
    TestExecutionSummary changed = Run.classes(ReusingWithAnotherManifest.class);

    assertThat(first.getTotalFailureCount() + second.getTotalFailureCount() + changed.getTotalFailureCount())
        .as(Run.failures(first) + Run.failures(second) + Run.failures(changed)).isZero();
    assertThat(SEEN).hasSize(3);
    assertThat(SEEN.get(0)).endsWith(" QUBIX-BOOT-COUNT=1");
    assertThat(SEEN.get(1)).as("same QEMU, same boot: nothing booted").isEqualTo(SEEN.get(0));
    assertThat(SEEN.get(2)).as("a changed manifest recreates the VM, keeping its home").endsWith(" QUBIX-BOOT-COUNT=2")
        .doesNotStartWith(SEEN.get(0).split(" ")[0] + " ");
    assertThat(tiny().status()).as("a reused VM outlives its fixture").isPresent();
  }

  @Test
  void withoutTheUsersOptInReuseIsAnOrdinaryFixture() {
    System.setProperty("qubix.reuse.enable", "false");
    SEEN.clear();

    TestExecutionSummary s = Run.classes(Reusing.class);

    assertThat(s.getTotalFailureCount()).as(Run.failures(s)).isZero();
    assertThat(tiny().status()).as("destroyed after the class").isEmpty();
  }
}
