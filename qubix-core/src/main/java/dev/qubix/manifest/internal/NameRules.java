package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import java.util.regex.Pattern;

/** The machine's names: host and VM name (the {@link Names} rule) and its mDNS name. */
final class NameRules {
  static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private NameRules() {}

  /** A required name such as hostName or vmName. */
  static String name(FieldCursor f) {
    return f.text(Names::isValid, "is not allowed: " + Names.RULE);
  }

  static String mdns(FieldCursor f) {
    return f.optionalText().filter(s -> f.check(DNS_NAME.matcher(s).matches(),
        "'" + s + "' is not a DNS name like spotibox.local")).orElse(null);
  }
}
