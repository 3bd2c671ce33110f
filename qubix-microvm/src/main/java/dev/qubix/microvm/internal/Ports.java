package dev.qubix.microvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host port forwarded to the guest's RDP port: chosen once (a free port on 127.0.0.1) and kept
 * in {@code ports.json}, so a saved RDP connection keeps working across recreates.
 */
public final class Ports {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Ports() {}

  public static Optional<Integer> read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      JsonNode n = JSON.readTree(file.toFile());
      int port = n.path("rdp").asInt(0);
      return port > 0 && port < 65536 ? Optional.of(port) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public static int ensure(Path file) {
    Optional<Integer> existing = read(file);
    if (existing.isPresent()) {
      return existing.get();
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = s.getLocalPort();
      PrivateFiles.directory(file.getParent());
      PrivateFiles.writeString(file, "{\"rdp\": " + port + "}\n");
      return port;
    } catch (IOException e) {
      throw new QubixException("cannot pick a free port for RDP: " + e.getMessage(), e);
    }
  }

  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
