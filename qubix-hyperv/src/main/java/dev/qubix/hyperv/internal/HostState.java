package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the planner needs to know about the Hyper-V host, read by state.ps1 (which changes nothing).
 * {@link #unknown()} stands for a host Qubix cannot see (planning on Linux): it assumes nothing
 * exists yet, and plans say so.
 */
public record HostState(boolean known, boolean switchExists, boolean hostIpExists, List<NetNat> netNats,
    boolean vmExists, String vmState, boolean baseImageCached, boolean homeDiskExists, List<String> ipAddresses,
    long uptimeSeconds) {

  public record NetNat(String name, String prefix) {}

  public HostState {
    netNats = List.copyOf(netNats);
    ipAddresses = List.copyOf(ipAddresses);
  }

  public static HostState unknown() {
    return new HostState(false, false, false, List.of(), false, null, false, false, List.of(), 0);
  }

  public static HostState fromJson(JsonNode r) {
    List<NetNat> nats = new ArrayList<>();
    r.path("netNats").forEach(n -> nats.add(new NetNat(n.path("name").asText(), n.path("prefix").asText())));
    List<String> ips = new ArrayList<>();
    r.path("ipAddresses").forEach(ip -> ips.add(ip.asText()));
    return new HostState(true, r.path("switchExists").asBoolean(), r.path("hostIpExists").asBoolean(), nats,
        r.path("vmExists").asBoolean(), r.path("vmState").isTextual() ? r.path("vmState").asText() : null,
        r.path("baseImageCached").asBoolean(), r.path("homeDiskExists").asBoolean(), ips, r.path("uptimeSeconds").asLong());
  }
}
