package dev.qubix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.RdpFile;
import dev.qubix.spi.X224Probe;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EndpointAndRdpTest {

  @Test
  void parsesHostsPortsAndBracketedV6() {
    assertThat(Endpoint.parse("192.168.250.10", 3389)).isEqualTo(new Endpoint("192.168.250.10", 3389));
    assertThat(Endpoint.parse("localhost:40001", 3389)).isEqualTo(new Endpoint("localhost", 40001));
    assertThat(Endpoint.parse("[::1]:3390", 3389)).isEqualTo(new Endpoint("::1", 3390));
    assertThat(Endpoint.parse("fe80::1", 3389)).isEqualTo(new Endpoint("fe80::1", 3389));
    assertThatThrownBy(() -> Endpoint.parse("host:99999", 3389)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Endpoint.parse("a b", 3389)).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void rdpFileHasCrlfLinesAndNoPassword() throws Exception {
    String v3;
    try (InputStream in = getClass().getResourceAsStream("/manifests/spotibox-v3.json")) {
      v3 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String rdp = RdpFile.render(ManifestReader.read(v3, "spotibox"), new Endpoint("192.168.250.10", 3389));

    assertThat(rdp).isEqualTo(String.join("\r\n", "full address:s:192.168.250.10", "username:s:rdp",
        "screen mode id:i:1", "desktopwidth:i:1280", "desktopheight:i:800", "session bpp:i:32", "audiomode:i:0",
        "redirectclipboard:i:1", "redirectdrives:i:0", "redirectprinters:i:0", "authentication level:i:0",
        "prompt for credentials:i:0", ""));
    assertThat(rdp.toLowerCase()).doesNotContain("password");
  }

  @Test
  void x224ProbeAcceptsAConnectionConfirmOnly() throws Exception {
    byte[] confirm = {0x03, 0x00, 0x00, 0x0b, 0x06, (byte) 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00};
    try (ServerSocket rdp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
         ServerSocket notRdp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      java.util.concurrent.CompletableFuture<byte[]> request = answer(rdp, confirm);
      answer(notRdp, "SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII));

      assertThat(X224Probe.answers(new Endpoint("127.0.0.1", rdp.getLocalPort()), Duration.ofSeconds(2))).isTrue();
      assertThat(X224Probe.answers(new Endpoint("127.0.0.1", notRdp.getLocalPort()), Duration.ofSeconds(2))).isFalse();
      // checked here, in the test's thread: an assertion in the server thread would be lost
      assertThat(Arrays.copyOf(request.get(5, java.util.concurrent.TimeUnit.SECONDS), 6)).as("what the probe sent")
          .isEqualTo(Arrays.copyOf(X224Probe.connectionRequest(), 6));
    }
  }

  @Test
  void awaitReadyTimesOutWithAClearMessage() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    int port = closed;
    assertThatThrownBy(() -> X224Probe.awaitReady(new Endpoint("127.0.0.1", port), Duration.ofMillis(600), e -> { }))
        .isInstanceOf(OperationTimeoutException.class).hasMessageContaining("did not answer within");
  }

  /** Accepts one connection, replies with {@code reply}; completes with the first 19 bytes it received. */
  private static java.util.concurrent.CompletableFuture<byte[]> answer(ServerSocket server, byte[] reply) {
    java.util.concurrent.CompletableFuture<byte[]> received = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        received.complete(in.readNBytes(19));
        OutputStream out = s.getOutputStream();
        out.write(reply);
        out.flush();
      } catch (Exception e) {
        // the probe closed early: fine for the negative case
        received.completeExceptionally(e);
      }
    });
    t.setDaemon(true);
    t.start();
    return received;
  }
}
