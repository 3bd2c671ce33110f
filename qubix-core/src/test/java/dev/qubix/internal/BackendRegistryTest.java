package dev.qubix.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.BackendUnavailableException;
import dev.qubix.Availability;
import dev.qubix.ConfigurationException;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendRegistryTest {
  private static final HostInfo LINUX = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());

  record Stub(String name, int priority, Availability availability) implements BackendProvider {
    @Override
    public Availability probe(HostInfo host) {
      return availability;
    }

    @Override
    public Backend open(BackendContext context) {
      throw new UnsupportedOperationException();
    }
  }

  private final Stub hyperv = new Stub("hyperv", 100, Availability.unavailable("Hyper-V needs Windows", "use microvm on Linux"));
  private final Stub microvm = new Stub("microvm", 50, Availability.available("qemu 7.2, TCG"));
  private final Stub other = new Stub("other", 10, Availability.available("always"));
  private final List<BackendProvider> all = List.of(hyperv, microvm, other);

  @AfterEach
  void clearProperty() {
    System.clearProperty("qubix.backend");
  }

  @Test
  void explicitNameWinsEvenWhenUnavailable() {
    assertThat(BackendRegistry.select("hyperv", LINUX, all)).isSameAs(hyperv);
  }

  @Test
  void environmentVariableComesNext() {
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("QUBIX_BACKEND", "other"));

    assertThat(BackendRegistry.select(null, host, all)).isSameAs(other);
  }

  @Test
  void systemPropertyComesBeforeTheEnvironment() {
    System.setProperty("qubix.backend", "microvm");
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("QUBIX_BACKEND", "other"));

    assertThat(BackendRegistry.select(null, host, all)).isSameAs(microvm);
  }

  @Test
  void otherwiseTheHighestPriorityAvailableOne() {
    assertThat(BackendRegistry.select(null, LINUX, all)).isSameAs(microvm);
  }

  @Test
  void noneAvailableListsEveryProviderWithItsReason() {
    assertThatThrownBy(() -> BackendRegistry.select(null, LINUX, List.of(hyperv,
        new Stub("microvm", 50, Availability.unavailable("qemu-system-x86_64 not found", "apt-get install qemu-system-x86")))))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("no usable backend on this machine:\n"
            + "  hyperv: Hyper-V needs Windows — use microvm on Linux\n"
            + "  microvm: qemu-system-x86_64 not found — apt-get install qemu-system-x86");
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> BackendRegistry.select("vbox", LINUX, all))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("unknown backend 'vbox'; known backends: hyperv, microvm, other");
  }

  @Test
  void anAvailableBackendWinsOverAnUnavailableOneOfHigherPriority() {
    // a declared stub (as nspawn was): priority 0 and never available; any available backend, even at -10, wins
    Stub stub = new Stub("nspawn", 0, Availability.unavailable("planned, not implemented", "use microvm"));
    Stub lower = new Stub("lower", -10, Availability.available("test"));

    assertThat(BackendRegistry.select(null, LINUX, List.of(stub, lower))).isSameAs(lower);
  }
}
