package dev.qubix.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarded RDP port is chosen once and kept, so saved connections survive recreates. */
class HostPortsTest {
  @TempDir Path vm;

  @Test
  void aFreePortIsChosenOnceAndKeptInPortsJson() throws Exception {
    Path file = vm.resolve("ports.json");

    int first = new HostPorts(file).ensureRdp();
    int again = new HostPorts(file).ensureRdp();

    assertThat(again).isEqualTo(first);
    assertThat(new HostPorts(file).rdp()).contains(first);
    assertThat(Files.readString(file)).isEqualToIgnoringWhitespace("{\"rdp\": " + first + "}");
    assertThat(HostPorts.isFree(first)).isTrue();
  }

  @Test
  void aPortHeldByAnotherProcessIsNotFree() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(HostPorts.isFree(other.getLocalPort())).isFalse();
    }
  }

  @Test
  void aDamagedPortsJsonMeansNoPortYetAndIsReplaced() throws Exception {
    Path file = vm.resolve("ports.json");
    Files.writeString(file, "{\"rdp\": 70000}");

    assertThat(new HostPorts(file).rdp()).isEmpty();
    assertThat(new HostPorts(file).ensureRdp()).isBetween(1, 65535);
  }
}
