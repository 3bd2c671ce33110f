package dev.qubix.manifest;

import java.util.Optional;

/** An IPv4 address. Only strict dotted quads parse: no leading zeros (octal ambiguity), no spaces. */
public record Ipv4(int bits) {

  public static Optional<Ipv4> parse(String text) {
    if (text == null || text.length() > 15) {
      return Optional.empty();
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    int bits = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return Optional.empty();
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return Optional.empty();
        }
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return Optional.empty();
      }
      bits = (bits << 8) | v;
    }
    return Optional.of(new Ipv4(bits));
  }

  public static Ipv4 of(String text) {
    return parse(text).orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: " + text));
  }

  public boolean isLinkLocal() {
    return (bits >>> 16) == ((169 << 8) | 254);
  }

  public boolean isUnspecified() {
    return bits == 0;
  }

  @Override
  public String toString() {
    return ((bits >>> 24) & 255) + "." + ((bits >>> 16) & 255) + "." + ((bits >>> 8) & 255) + "." + (bits & 255);
  }
}
