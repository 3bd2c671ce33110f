package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.BackendInfo;
import dev.qubix.BackendUnavailableException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.Availability;
import dev.qubix.spi.PlanRequest;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NspawnBackendProviderTest {
  private static final String MESSAGE = "nspawn backend is planned, not implemented: use microvm on Linux";
  private static final HostInfo LINUX = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());
  private static final HostInfo WINDOWS = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of());

  @TempDir Path tmp;
  Path manifest;

  @BeforeEach
  void writeManifest() throws Exception {
    manifest = Files.writeString(tmp.resolve("m.json"), """
        {"schemaVersion": 3, "machines": {"box": {
          "hostName": "box", "vmName": "qubix-box", "cpuCount": 1,
          "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456,
          "network": {"mode": "dhcp"}, "rdp": {"user": "rdp"}, "images": {}}}}
        """);
  }

  private Appliance boxOnNspawn() {
    return Qubix.appliance("box").withManifest(manifest).withBackend("nspawn").withStateDir(tmp.resolve("state"));
  }

  @Test
  void probeSaysPlannedNotImplementedOnEveryHost() {
    for (HostInfo host : List.of(LINUX, WINDOWS, HostInfo.current())) {
      Availability a = new NspawnBackendProvider().probe(host);

      assertThat(a).isInstanceOf(Availability.Unavailable.class);
      assertThat(((Availability.Unavailable) a).reason()).isEqualTo(MESSAGE);
      assertThat(a.toString()).startsWith(MESSAGE + " — select microvm");
    }
  }

  @Test
  void isDiscoveredAndListedWithTheLowestPriority() {
    BackendInfo nspawn = Qubix.backends().stream().filter(b -> b.name().equals("nspawn")).findFirst().orElseThrow();

    assertThat(nspawn.priority()).isZero();
    assertThat(nspawn.availability().isAvailable()).isFalse();
    assertThat(nspawn.availability().toString()).startsWith(MESSAGE);
  }

  @Test
  void autoSelectionNeverPicksItEvenWhenItIsTheOnlyBackend() {
    // only core and this module are on the test class path: nspawn is the only provider
    assertThatThrownBy(() -> Qubix.appliance("box").withManifest(manifest).backendName())
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("no usable backend on this machine:\n  nspawn: " + MESSAGE + " — " + NspawnBackendProvider.FIX);
  }

  @Test
  void explicitSelectionFailsWithTheClearMessageBeforeTouchingAnything() {
    assertThatThrownBy(() -> boxOnNspawn().up())
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("backend nspawn cannot run here: " + MESSAGE);
    assertThatThrownBy(() -> boxOnNspawn().destroy(Purge.KEEP_HOME))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining(MESSAGE);
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void everyBackendOperationRefusesWithTheMessage() {
    Backend b = new NspawnBackendProvider().open(null);
    var m = boxOnNspawn().manifest();

    assertThat(b.name()).isEqualTo("nspawn");
    assertThat(boxOnNspawn().backendName()).isEqualTo("nspawn");
    assertThatThrownBy(() -> boxOnNspawn().status()).isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith(MESSAGE);
    assertThatThrownBy(() -> b.inspect(m)).isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith(MESSAGE);
    assertThatThrownBy(() -> b.plan(PlanRequest.of(Operation.START, m, null)).steps().get(0).action().run())
        .isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith(MESSAGE);
    assertThatThrownBy(() -> b.endpoint(m)).isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith(MESSAGE);
    assertThatThrownBy(() -> b.gc(m)).isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith(MESSAGE);
  }

  @Test
  void planIsOneStepSayingSo() {
    Plan p = boxOnNspawn().plan(Operation.RECREATE);

    assertThat(p.backend()).isEqualTo("nspawn");
    assertThat(p.steps()).singleElement().satisfies(s -> {
      assertThat(s.id()).isEqualTo("not-implemented");
      assertThat(s.description()).startsWith(MESSAGE);
    });
    assertThat(tmp.resolve("state")).doesNotExist();
  }
}
