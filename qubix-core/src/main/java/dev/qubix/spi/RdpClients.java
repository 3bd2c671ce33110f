package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.manifest.MachineManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The default RDP clients: mstsc with a generated {@code .rdp} file on Windows, xfreerdp on Linux
 * when a display exists, none when headless. The client outlives the call: it is the user's window.
 */
public final class RdpClients {
  private RdpClients() {}

  public static Optional<Process> launchDefault(MachineManifest m, Endpoint e, BackendContext ctx) {
    return launchDefault(m, e, ctx, Optional.empty());
  }

  /**
   * With the VM's password, xfreerdp reads it from its stdin ({@code /from-stdin}): {@code /p:} would
   * put it in {@code /proc/<pid>/cmdline}, which every local user can read. The domain is given
   * ({@code /d:}, the guest's host name, which xrdp does not check) so the only line xfreerdp asks
   * for is the password. The .rdp file for mstsc never holds a password.
   */
  public static Optional<Process> launchDefault(MachineManifest m, Endpoint e, BackendContext ctx,
      Optional<String> password) {
    HostInfo host = ctx.host();
    if (host.os() == HostInfo.Os.WINDOWS) {
      Path rdp = ctx.stateDir().resolve(m.vmName()).resolve(m.vmName() + ".rdp");
      writeRdpFile(rdp, m, e);
      return Optional.of(start(ctx, List.of("mstsc.exe", rdp.toString()), Optional.empty()));
    }
    boolean display = host.getenv("DISPLAY").isPresent() || host.getenv("WAYLAND_DISPLAY").isPresent();
    Optional<Path> xfreerdp = host.which("xfreerdp3").or(() -> host.which("xfreerdp"));
    if (!display || xfreerdp.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(start(ctx, xfreerdpArgs(xfreerdp.get().toString(), m, e, password.isPresent()), password));
  }

  /**
   * xfreerdp's arguments: never a password, only {@code /from-stdin} when one is piped in.
   * {@code /cert:ignore}: the guest's xrdp certificate is self-signed and made per image; the
   * connection is to 127.0.0.1 (microvm) or the host's own switch (Hyper-V), never across a network.
   */
  public static List<String> xfreerdpArgs(String program, MachineManifest m, Endpoint e, boolean passwordOnStdin) {
    List<String> argv = new ArrayList<>(List.of(program, "/v:" + e.host() + ":" + e.port(),
        "/u:" + m.rdp().user(), "/size:" + m.rdp().width() + "x" + m.rdp().height(),
        "/cert:ignore", "/sound", "+clipboard"));
    if (passwordOnStdin) {
      argv.addAll(List.of("/d:" + m.hostName(), "/from-stdin:force"));
    }
    return argv;
  }

  public static void writeRdpFile(Path file, MachineManifest m, Endpoint e) {
    try {
      PrivateFiles.directory(file.getParent());
      PrivateFiles.writeString(file, RdpFile.render(m, e));
    } catch (IOException ex) {
      throw new QubixException("cannot write " + file + ": " + ex.getMessage(), ex);
    }
  }

  /** Through the context's runner, like every external program; the password only ever on stdin. */
  private static Process start(BackendContext ctx, List<String> argv, Optional<String> stdin) {
    try {
      Command c = Command.of(argv);
      return ctx.runner().start(stdin.isPresent() ? c.withStdin(stdin.get() + "\n") : c);
    } catch (QubixException ex) {
      throw new QubixException("cannot start the RDP client " + argv.get(0) + ": " + ex.getMessage(), ex);
    }
  }
}
