package dev.qubix.nspawn.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.QubixException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * slirp4netns's JSON API on its Unix socket: one request per connection. Qubix asks it for one
 * thing, the host port forward; slirp4netns then listens on 127.0.0.1 itself and holds the port
 * for as long as it runs, as QEMU's hostfwd does for microvm.
 */
final class SlirpApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SlirpApi() {}

  /** Forwards TCP {@code 127.0.0.1:hostPort} to the container's {@code guestPort}. */
  static void forward(Path socket, int hostPort, int guestPort) {
    String request = JSON.createObjectNode().put("execute", "add_hostfwd").set("arguments", JSON.createObjectNode()
        .put("proto", "tcp").put("host_addr", "127.0.0.1").put("host_port", hostPort)
        .put("guest_addr", NspawnArgs.GUEST_ADDRESS).put("guest_port", guestPort)).toString();
    JsonNode reply = call(socket, request);
    if (!reply.has("return")) {
      throw new QubixException("slirp4netns could not forward 127.0.0.1:" + hostPort + " to the container's port "
          + guestPort + ": " + reply.path("error").path("desc").asText(reply.toString()));
    }
  }

  private static JsonNode call(Path socket, String request) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      ch.shutdownOutput();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(4096);
      while (ch.read(buf) >= 0) {
        reply.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return JSON.readTree(reply.toByteArray());
    } catch (IOException e) {
      throw new QubixException("cannot ask slirp4netns on " + socket + ": " + e.getMessage(), e);
    }
  }
}
