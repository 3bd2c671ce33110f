package dev.qubix.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.InstanceStatus;
import dev.qubix.Qubix;
import dev.qubix.junit.internal.Fixture;
import dev.qubix.junit.support.LeakyJvm;
import dev.qubix.junit.support.RecordingBackend;
import dev.qubix.testing.TinyGuest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A test JVM killed while its fixture VM runs: the next fixture start in that state directory destroys the VM. */
class TinyGuestLeakTest {
  static final Path STATE = Path.of("target/tiny-state/leak").toAbsolutePath();

  @AfterEach
  void uninstall() {
    RecordingBackend.uninstall();
  }

  @Test
  void theNextFixtureStartDestroysTheVmOfAKilledTestJvmKeepingItsHome() throws Exception {
    Path flake = TinyGuest.sharedFlake();
    Appliance tiny = Qubix.appliance("tiny").withFlake(flake).withBackend("microvm").withStateDir(STATE);
    Process jvm = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LeakyJvm.class.getName(), flake.toString(), STATE.toString()))
        .redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        output.append(line).append('\n');
        if (line.startsWith("UP ")) {
          break;
        }
      }
      jvm.destroyForcibly();
      assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(output.toString()).contains("UP qubix-tiny");
    assertThat(tiny.status().map(InstanceStatus::state)).as("the killed JVM's VM lives on").contains(InstanceStatus.State.RUNNING);
    assertThat(STATE.resolve("junit-owners/tiny.owner")).exists();

    // any fixture in that state directory, here one on the in-memory backend
    RecordingBackend.install();
    Fixture next = Fixture.start(Qubix.appliance("box").withManifest(Path.of(RecordingBackend.MANIFEST))
        .withBackend(RecordingBackend.NAME).withStateDir(STATE), true, false);
    next.close();

    assertThat(tiny.status()).as("destroyed by the next fixture start").isEmpty();
    assertThat(STATE.resolve("qubix-tiny/home.qcow2")).as("home kept: the fixture was not a purge fixture").exists();
    assertThat(STATE.resolve("junit-owners/tiny.owner")).doesNotExist();
    assertThat(Files.exists(STATE.resolve("junit-owners/box.owner"))).isFalse();
  }
}
