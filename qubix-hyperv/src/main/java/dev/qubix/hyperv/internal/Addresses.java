package dev.qubix.hyperv.internal;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which guest-reported address to connect to. hv_kvp_daemon reports every address of the guest:
 * IPv6, link-local 169.254.* while DHCP is pending, and 0.0.0.0 — none of them reachable over NAT.
 */
public final class Addresses {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private Addresses() {}

  public static Optional<String> firstUsableIpv4(List<String> reported) {
    return reported.stream()
        .filter(a -> IPV4.matcher(a).matches())
        .filter(a -> !a.startsWith("169.254.") && !a.equals("0.0.0.0"))
        .findFirst();
  }
}
