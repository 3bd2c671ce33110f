package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.HomeDisk;
import java.util.regex.Pattern;

/** The persistent home disk: on or off, its filesystem label, and its size when on. */
final class HomeDiskRules {
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,16}");
  static final long MAX_HOME_MIB = 16L * 1024 * 1024;
  private static final HomeDisk NONE = new HomeDisk(false, "qubix-home", 0);

  private HomeDiskRules() {}

  static HomeDisk read(FieldCursor h) {
    if (!h.isPresent()) {
      return NONE;
    }
    if (!h.isObject()) {
      h.fail("must be an object");
      return NONE;
    }
    boolean enable = h.get("enable").bool(true);
    FieldCursor labelField = h.get("label");
    String label = labelField.optionalText().orElse("qubix-home");
    labelField.check(LABEL.matcher(label).matches(),
        "'" + label + "' is not a filesystem label: 1-16 letters, digits, '.', '_' or '-'");
    Long size = h.get("sizeMiB").longValue(64, MAX_HOME_MIB, enable ? null : 0L, "64 MiB to 16 TiB");
    return new HomeDisk(enable, label, size == null ? 0 : size);
  }
}
