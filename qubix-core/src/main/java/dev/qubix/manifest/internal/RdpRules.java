package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.Rdp;
import java.util.regex.Pattern;

/** The RDP login: a Linux user name, the port, and the window size. */
final class RdpRules {
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

  private RdpRules() {}

  static Rdp read(FieldCursor r) {
    if (!r.isObject()) {
      r.fail(r.isMissing() ? "missing: set at least {\"user\": \"rdp\"}" : "must be an object");
      return new Rdp("rdp", 3389, 1280, 800);
    }
    FieldCursor userField = r.get("user");
    String user = userField.text();
    if (user != null) {
      userField.check(USER.matcher(user).matches(), "'" + user + "' is not a Linux user name (lower case, digits, '_' or '-')");
    }
    Integer port = r.get("port").integer(1, 65535, 3389);
    Integer width = r.get("width").integer(640, 8192, 1280);
    Integer height = r.get("height").integer(480, 8192, 800);
    return new Rdp(user, port == null ? 3389 : port, width == null ? 1280 : width, height == null ? 800 : height);
  }
}
