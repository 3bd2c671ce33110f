package dev.qubix.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.QubixException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host port forwarded to the guest's RDP port: chosen once (a free port on 127.0.0.1) and kept
 * in the VM folder's {@code ports.json}, so a saved RDP connection keeps working across recreates.
 * It goes only with the home disk, at a purge.
 */
public final class HostPorts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public HostPorts(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The kept RDP port, if one was chosen. */
  public Optional<Integer> rdp() {
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

  /** The kept RDP port, or a free one chosen now and kept (0600). */
  public int ensureRdp() {
    Optional<Integer> existing = rdp();
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

  /**
   * The kept port stays the VM's port (saved .rdp files and firewall rules keep working); when another
   * process holds it, saying so beats silently moving the VM to a new one.
   */
  public void requireFree(String vmName, int port) {
    if (!isFree(port)) {
      throw new QubixException("port " + port + " on 127.0.0.1 (the RDP forward of " + vmName + ", kept in "
          + file + ") is used by another process: free it, or delete " + file + " so Qubix picks a new port");
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
