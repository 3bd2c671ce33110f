package dev.qubix.manifest;

import java.util.List;

/**
 * Guest networking. DHCP carries nothing else; static carries the address, the gateway and the
 * NAT subnet the host side must provide (Hyper-V NetNat, QEMU user-mode net).
 */
public record Network(Kind mode, Ipv4 staticIp, int prefixLength, Ipv4 gateway, Cidr natSwitchSubnet,
    List<Ipv4> nameservers, Egress egress) {

  public enum Kind { DHCP, STATIC }

  public Network {
    nameservers = List.copyOf(nameservers);
    egress = egress == null ? Egress.open() : egress;
  }

  /** A network with open egress. */
  public Network(Kind mode, Ipv4 staticIp, int prefixLength, Ipv4 gateway, Cidr natSwitchSubnet,
      List<Ipv4> nameservers) {
    this(mode, staticIp, prefixLength, gateway, natSwitchSubnet, nameservers, Egress.open());
  }

  public Network withEgress(Egress e) {
    return new Network(mode, staticIp, prefixLength, gateway, natSwitchSubnet, nameservers, e);
  }

  public static Network dhcp() {
    return new Network(Kind.DHCP, null, 0, null, null, List.of());
  }

  public boolean isStatic() {
    return mode == Kind.STATIC;
  }
}
