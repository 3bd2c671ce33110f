package dev.qubix.manifest;

import java.util.Optional;

/** An IPv4 network: the network address and a prefix length (host bits must be zero). */
public record Cidr(Ipv4 network, int prefixLength) {

  public Cidr {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
    }
    if ((network.bits() & ~mask(prefixLength)) != 0) {
      throw new IllegalArgumentException(network + " has host bits set for /" + prefixLength);
    }
  }

  /** Parses {@code a.b.c.d/n}; empty when malformed or when host bits are set. */
  public static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0 || slash == text.length() - 1 || text.length() - slash > 3) {
      return Optional.empty();
    }
    Optional<Ipv4> ip = Ipv4.parse(text.substring(0, slash));
    String p = text.substring(slash + 1);
    if (ip.isEmpty() || !p.chars().allMatch(Character::isDigit) || (p.length() > 1 && p.charAt(0) == '0')) {
      return Optional.empty();
    }
    int prefix = Integer.parseInt(p);
    if (prefix > 32 || (ip.get().bits() & ~mask(prefix)) != 0) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(ip.get(), prefix));
  }

  /** The network that contains {@code ip} with this prefix length. */
  public static Cidr containing(Ipv4 ip, int prefixLength) {
    return new Cidr(new Ipv4(ip.bits() & mask(prefixLength)), prefixLength);
  }

  public boolean contains(Ipv4 ip) {
    return (ip.bits() & mask(prefixLength)) == network.bits();
  }

  public Ipv4 broadcast() {
    return new Ipv4(network.bits() | ~mask(prefixLength));
  }

  static int mask(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  @Override
  public String toString() {
    return network + "/" + prefixLength;
  }
}
