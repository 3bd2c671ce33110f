package dev.qubix.manifest.internal;

import dev.qubix.manifest.Cidr;
import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.Ipv4;
import dev.qubix.manifest.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** DHCP or a static address: the address, gateway and nameservers fit the subnet they claim. */
final class NetworkRules {
  private static final List<String> STATIC_ONLY = List.of("staticIp", "prefixLength", "gateway", "natSwitchSubnet", "nameservers");

  private NetworkRules() {}

  static Network read(FieldCursor n) {
    if (n.isMissing()) {
      n.fail("missing: set {\"mode\": \"dhcp\"} or a static network");
      return Network.dhcp();
    }
    if (!n.isObject()) {
      n.fail("must be an object");
      return Network.dhcp();
    }
    String mode = n.get("mode").text();
    if ("dhcp".equals(mode)) {
      for (String f : STATIC_ONLY) {
        if (n.get(f).isPresent()) {
          n.get(f).fail("not allowed when network.mode is dhcp: remove it, or set mode to static");
        }
      }
      return Network.dhcp();
    }
    if (mode != null && !"static".equals(mode)) {
      n.get("mode").fail("'" + mode + "' is not a network mode: use dhcp or static");
      return Network.dhcp();
    }
    if (mode == null) {
      return Network.dhcp();
    }
    return staticNetwork(n);
  }

  private static Network staticNetwork(FieldCursor n) {
    FieldCursor ipField = n.get("staticIp");
    FieldCursor gatewayField = n.get("gateway");
    FieldCursor subnetField = n.get("natSwitchSubnet");
    Ipv4 ip = ipv4(ipField);
    Integer prefix = n.get("prefixLength").integer(1, 30, 24);
    Ipv4 gateway = ipv4(gatewayField);
    Cidr subnet = null;
    Optional<String> subnetText = subnetField.optionalText();
    if (subnetText.isPresent()) {
      subnet = Cidr.parse(subnetText.get()).orElse(null);
      if (subnet == null) {
        subnetField.fail("'" + subnetText.get() + "' is not a network like 192.168.250.0/24 (host bits must be zero)");
      } else if (prefix != null && subnet.prefixLength() != prefix) {
        subnetField.fail(subnet + " does not match prefixLength " + prefix);
        subnet = null;   // one mistake, one message: do not also report every address as outside it
      }
    } else if (ip != null && prefix != null) {
      subnet = Cidr.containing(ip, prefix);
    }
    if (subnet != null) {
      if (ip != null) {
        if (!subnet.contains(ip)) {
          ipField.fail(ip + " is outside natSwitchSubnet " + subnet);
        } else if (ip.equals(subnet.network()) || ip.equals(subnet.broadcast())) {
          ipField.fail(ip + " is the network or broadcast address of " + subnet + ": pick a host address");
        }
      }
      if (gateway != null) {
        if (!subnet.contains(gateway)) {
          gatewayField.fail(gateway + " is outside natSwitchSubnet " + subnet);
        } else if (gateway.equals(ip)) {
          gatewayField.fail(gateway + " is also the staticIp: the gateway is the host side of the NAT switch");
        }
      }
    }
    return new Network(Network.Kind.STATIC, ip, prefix == null ? 0 : prefix, gateway, subnet, nameservers(n.get("nameservers")));
  }

  private static Ipv4 ipv4(FieldCursor f) {
    if (!f.isPresent()) {
      f.fail("missing (required when network.mode is static)");
      return null;
    }
    return f.parsed(Ipv4::parse, "is not an IPv4 address in dotted-quad form like 192.168.250.10").orElse(null);
  }

  private static List<Ipv4> nameservers(FieldCursor ns) {
    List<Ipv4> nameservers = new ArrayList<>();
    if (ns.isPresent() && !ns.isArray()) {
      ns.fail("must be a list of IPv4 addresses");
    }
    for (FieldCursor a : ns.items()) {
      a.parsed(Ipv4::parse, "is not an IPv4 address like 1.1.1.1").ifPresent(nameservers::add);
    }
    return nameservers;
  }
}
