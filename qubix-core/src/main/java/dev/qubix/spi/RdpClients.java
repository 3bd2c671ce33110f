package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.manifest.MachineManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The default RDP clients: mstsc with a generated {@code .rdp} file on Windows, xfreerdp on Linux
 * when a display exists, none when headless. The client outlives the call: it is the user's window.
 */
public final class RdpClients {
  private RdpClients() {}

  public static Optional<Process> launchDefault(MachineManifest m, Endpoint e, BackendContext ctx) {
    HostInfo host = ctx.host();
    if (host.os() == HostInfo.Os.WINDOWS) {
      Path rdp = ctx.stateDir().resolve(m.vmName()).resolve(m.vmName() + ".rdp");
      writeRdpFile(rdp, m, e);
      return Optional.of(start(ctx, List.of("mstsc.exe", rdp.toString())));
    }
    boolean display = host.getenv("DISPLAY").isPresent() || host.getenv("WAYLAND_DISPLAY").isPresent();
    Optional<Path> xfreerdp = host.which("xfreerdp3").or(() -> host.which("xfreerdp"));
    if (!display || xfreerdp.isEmpty()) {
      return Optional.empty();
    }
    // /cert:ignore: the guest's xrdp certificate is self-signed and made per image; the connection
    // is to 127.0.0.1 (microvm) or the host's own switch (Hyper-V), never across a network
    return Optional.of(start(ctx, List.of(xfreerdp.get().toString(), "/v:" + e.host() + ":" + e.port(),
        "/u:" + m.rdp().user(), "/size:" + m.rdp().width() + "x" + m.rdp().height(),
        "/cert:ignore", "/sound", "+clipboard")));
  }

  public static void writeRdpFile(Path file, MachineManifest m, Endpoint e) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, RdpFile.render(m, e), StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new QubixException("cannot write " + file + ": " + ex.getMessage(), ex);
    }
  }

  private static Process start(BackendContext ctx, List<String> argv) {
    try {
      return ctx.runner().start(Command.of(argv));
    } catch (QubixException ex) {
      throw new QubixException("cannot start the RDP client " + argv.get(0) + ": " + ex.getMessage(), ex);
    }
  }
}
