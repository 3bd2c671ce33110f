package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarded RDP port is chosen once and kept, so saved connections survive recreates. */
class PortsTest {
  @TempDir Path vm;

  @Test
  void aFreePortIsChosenOnceAndKeptInPortsJson() throws Exception {
    Path file = vm.resolve("ports.json");

    int first = Ports.ensure(file);
    int again = Ports.ensure(file);

    assertThat(again).isEqualTo(first);
    assertThat(Ports.read(file)).contains(first);
    assertThat(Files.readString(file)).isEqualToIgnoringWhitespace("{\"rdp\": " + first + "}");
    assertThat(Ports.isFree(first)).isTrue();
  }

  @Test
  void aPortHeldByAnotherProcessIsNotFree() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(Ports.isFree(other.getLocalPort())).isFalse();
    }
  }

  @Test
  void aDamagedPortsJsonMeansNoPortYetAndIsReplaced() throws Exception {
    Path file = vm.resolve("ports.json");
    Files.writeString(file, "{\"rdp\": 70000}");

    assertThat(Ports.read(file)).isEmpty();
    assertThat(Ports.ensure(file)).isBetween(1, 65535);
  }
}
