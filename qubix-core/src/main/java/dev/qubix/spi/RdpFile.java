package dev.qubix.spi;

import dev.qubix.Endpoint;
import dev.qubix.manifest.MachineManifest;

/**
 * The {@code .rdp} file mstsc opens: CRLF lines, audio played on this computer, clipboard on,
 * drives off, no credential prompt and xrdp's self-signed certificate accepted. Never a password.
 */
public final class RdpFile {
  private RdpFile() {}

  public static String render(MachineManifest m, Endpoint e) {
    String address = e.port() == 3389 ? e.host() : e.host() + ":" + e.port();
    return String.join("\r\n",
        "full address:s:" + address,
        "username:s:" + m.rdp().user(),
        "screen mode id:i:1",
        "desktopwidth:i:" + m.rdp().width(),
        "desktopheight:i:" + m.rdp().height(),
        "session bpp:i:32",
        "audiomode:i:0",
        "redirectclipboard:i:1",
        "redirectdrives:i:0",
        "redirectprinters:i:0",
        "authentication level:i:0",
        "prompt for credentials:i:0",
        "") ;
  }
}
