package dev.qubix.microvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.QubixException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;

/**
 * A minimal QMP client (QEMU Machine Protocol, JSON lines over a unix socket): negotiates
 * capabilities, runs a command, skips asynchronous events. A watchdog closes the socket when QEMU
 * stops answering, so a wedged VM cannot hang the caller.
 */
public final class Qmp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Timer WATCHDOG = new Timer("qubix-qmp-watchdog", true);

  private final SocketChannel channel;
  private final BufferedReader in;
  private final Duration timeout;

  private Qmp(SocketChannel channel, Duration timeout) {
    this.channel = channel;
    this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    this.timeout = timeout;
  }

  /** Connects and leaves capabilities negotiation mode. */
  public static Qmp connect(Path socket, Duration timeout) {
    try {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      Qmp qmp = new Qmp(ch, timeout);
      qmp.readReply(true);
      qmp.execute("qmp_capabilities");
      return qmp;
    } catch (IOException e) {
      throw new QubixException("cannot talk to QEMU over " + socket + ": " + e.getMessage(), e);
    }
  }

  /** Runs a command and returns its {@code return} value. */
  public JsonNode execute(String command) {
    return execute(command, java.util.Map.of());
  }

  /** Runs a command with arguments (Jackson writes them, so any value is quoted correctly). */
  public JsonNode execute(String command, java.util.Map<String, Object> arguments) {
    try {
      java.util.Map<String, Object> request = new java.util.LinkedHashMap<>();
      request.put("execute", command);
      if (!arguments.isEmpty()) {
        request.put("arguments", arguments);
      }
      byte[] line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
      channel.write(ByteBuffer.wrap(line));
      JsonNode reply = readReply(false);
      if (reply.has("error")) {
        throw new QubixException("QEMU refused " + command + ": " + reply.get("error").path("desc").asText());
      }
      return reply.path("return");
    } catch (IOException e) {
      throw new QubixException("QEMU did not answer " + command + ": " + e.getMessage(), e);
    }
  }

  /** The run state: "running", "paused", "shutdown", "prelaunch", … */
  public String status() {
    return execute("query-status").path("status").asText("unknown");
  }

  private JsonNode readReply(boolean greeting) throws IOException {
    TimerTask guard = new TimerTask() {
      @Override
      public void run() {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing is all the watchdog can do
        }
      }
    };
    WATCHDOG.schedule(guard, timeout.toMillis());
    try {
      while (true) {
        String line = in.readLine();
        if (line == null) {
          throw new IOException("QEMU closed the QMP connection");
        }
        JsonNode n = JSON.readTree(line);
        if (greeting ? n.has("QMP") : (n.has("return") || n.has("error"))) {
          return n;
        }
      }
    } finally {
      guard.cancel();
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
