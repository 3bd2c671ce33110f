package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build → recreate → connect → status → stop → start → destroy against a real QEMU guest. */
class MicrovmEndToEndTest {
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmEndToEndTest");
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  /** Each test ends with a destroy: no QEMU of its state folder may outlive it. */
  @AfterEach
  void noOrphanQemu() throws Exception {
    List<ProcessHandle> left = TinyGuest.qemuUnder(state);
    List<String> described = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    for (ProcessHandle p : left) {   // cleanup for the next test, after the check was taken
      p.destroyForcibly();
      p.onExit().get(30, TimeUnit.SECONDS);
    }
    assertThat(described).as("QEMU processes left running after the test").isEmpty();
  }

  private Appliance tiny() {
    return TinyGuest.appliance("tiny", flake, state);
  }

  @Test
  void lifecycleThroughThePublicApi() throws Exception {
    Connection c = tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofMinutes(2)));

    assertThat(c.endpoint().host()).isEqualTo("127.0.0.1");
    assertThat(X224Probe.answers(c.endpoint(), Duration.ofSeconds(5))).isTrue();
    assertThat(c.client()).isEmpty();
    assertThat(tiny().status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);

    Instance vm = tiny().instance().orElseThrow();
    vm.stop(Duration.ofSeconds(30));
    assertThat(tiny().status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.STOPPED);
    assertThat(Files.readString(state.resolve("qubix-tiny/serial.log"))).as("the guest shut down itself")
        .contains("QUBIX-POWEROFF");
    assertThat(state.resolve("qubix-tiny/qemu.pid")).doesNotExist();
    assertThat(state.resolve("qubix-tiny/qmp.sock")).doesNotExist();

    vm.start();
    assertThat(vm.connect(ConnectOptions.defaults().withoutClient()).endpoint()).isEqualTo(c.endpoint());

    vm.destroy(Purge.KEEP_HOME);
    assertThat(tiny().status()).isEmpty();
    assertThat(state.resolve("qubix-tiny/home.qcow2")).exists();
    assertThat(state.resolve("qubix-tiny/system.qcow2")).doesNotExist();
  }

  @Test
  void homeDiskAndRdpPortSurviveEveryRecreateAndOnlyPurgeResetsThem() throws Exception {
    Endpoint first = null;
    for (int i = 1; i <= 3; i++) {
      Endpoint e = tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient()).endpoint();
      first = first == null ? e : first;
      assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).as("boot %d", i).isEqualTo(i);
      assertThat(e).as("recreate %d keeps the RDP port", i).isEqualTo(first);
    }

    tiny().destroy(Purge.KEEP_HOME);
    assertThat(state.resolve("qubix-tiny/ports.json")).as("the port stays with the home disk").exists();
    Endpoint afterDestroy = tiny().up().connect(ConnectOptions.defaults().withoutClient()).endpoint();
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(4);
    assertThat(afterDestroy).as("a saved .rdp file still works after destroy keeping home").isEqualTo(first);

    tiny().up();   // already running: nothing is rebuilt or restarted (destroy removed the old serial log)
    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).containsExactly(4);

    tiny().destroy(Purge.EVERYTHING);
    assertThat(state.resolve("qubix-tiny")).doesNotExist();
    tiny().up().connect(ConnectOptions.defaults().withoutClient());
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(1);
    tiny().destroy(Purge.EVERYTHING);
  }
}
