package dev.qubix.manifest.internal;

import java.util.regex.Pattern;

/**
 * The rule for names of machines, hosts, VMs, backends and flake outputs, and how a rejected value
 * is shown in a message. {@code Qubix}, {@code Appliance} and the backend registry check names
 * before anything runs, with the same rule as the manifest.
 */
public final class Names {
  /** Safe as a file name, a Hyper-V VM name and a Nix attribute. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  /** What a user is told to use instead of a rejected name. */
  public static final String RULE = "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

  private Names() {}

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * {@code s} as a message may show it: control characters escaped (a newline would forge a second
   * line of output), cut after 60 characters (a 10 000-character value is named, not echoed).
   */
  public static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().limit(60).forEach(c -> {
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return s.length() > 60 ? sb + "…" : sb.toString();
  }
}
