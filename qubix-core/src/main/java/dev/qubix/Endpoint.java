package dev.qubix;

/** A host and TCP port, e.g. the guest's RDP endpoint. */
public record Endpoint(String host, int port) {

  public Endpoint {
    if (host == null || host.isBlank()) {
      throw new ConfigurationException("an endpoint needs a host");
    }
    if (port < 1 || port > 65535) {
      throw new ConfigurationException("port " + port + " is out of range 1..65535");
    }
  }

  /** Parses {@code host}, {@code host:port} or {@code [v6]:port}; {@code defaultPort} when absent. */
  public static Endpoint parse(String text, int defaultPort) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty() || t.chars().anyMatch(c -> c <= ' ')) {
      throw new ConfigurationException("address '" + t + "' is not a host or host:port");
    }
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new ConfigurationException("address '" + t + "' has an unclosed '['");
      }
      String host = t.substring(1, close);
      String rest = t.substring(close + 1);
      return new Endpoint(host, rest.startsWith(":") ? port(rest.substring(1), t) : defaultPort);
    }
    int colon = t.lastIndexOf(':');
    if (colon > 0 && t.indexOf(':') == colon) {
      return new Endpoint(t.substring(0, colon), port(t.substring(colon + 1), t));
    }
    return new Endpoint(t, defaultPort);
  }

  private static int port(String p, String whole) {
    try {
      return Integer.parseInt(p);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("address '" + whole + "' has no valid port after ':'");
    }
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
