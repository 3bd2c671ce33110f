package dev.qubix.manifest.internal;

/** RFC 6901 JSON pointers for error messages. */
public final class Pointers {
  private Pointers() {}

  public static String machine(String name) {
    return "/machines/" + escape(name);
  }

  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
