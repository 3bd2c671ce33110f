package dev.qubix.manifest;

import java.util.List;

/**
 * The guest's outbound policy. The guest enforces it (dnsmasq and nftables inside the image);
 * the host only reports it, so a lab user can see whether a machine is locked down.
 */
public record Egress(EgressMode mode, List<String> domains) {

  public Egress {
    domains = List.copyOf(domains);
  }

  /** What manifests written before the egress field mean. */
  public static Egress open() {
    return new Egress(EgressMode.OPEN, List.of());
  }
}
