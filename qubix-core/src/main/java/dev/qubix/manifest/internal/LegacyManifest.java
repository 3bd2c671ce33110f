package dev.qubix.manifest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The original PowerShell controller's schemaVersion 2 machine, mapped onto schemaVersion 3:
 * flat {@code staticIp}/{@code gatewayIp}/{@code natSwitchSubnet}, {@code package}/{@code homePackage},
 * flat Hyper-V fields. {@code rdp.password} is dropped on purpose: Qubix never takes a password from
 * the manifest (the original put it on mstsc's and cmdkey's command lines); it makes one per VM.
 */
public final class LegacyManifest {
  private static final Logger LOG = LoggerFactory.getLogger(LegacyManifest.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private LegacyManifest() {}

  public static ObjectNode toV3(ObjectNode v2) {
    ObjectNode m = F.objectNode();
    copy(v2, "hostName", m, "hostName");
    if (v2.has("vmName")) {
      copy(v2, "vmName", m, "vmName");
    } else if (v2.path("hostName").isTextual()) {
      m.put("vmName", "qubix-" + v2.get("hostName").asText());
    }
    copy(v2, "mode", m, "mode");
    copy(v2, "cpuCount", m, "cpuCount");
    copy(v2, "memoryStartupBytes", m, "memoryStartupBytes");
    copy(v2, "maxMemoryBytes", m, "maxMemoryBytes");

    ObjectNode net = m.putObject("network");
    if (v2.hasNonNull("staticIp")) {
      net.put("mode", "static");
      copy(v2, "staticIp", net, "staticIp");
      copy(v2, "prefixLength", net, "prefixLength");
      copy(v2, "gatewayIp", net, "gateway");
      copy(v2, "natSwitchSubnet", net, "natSwitchSubnet");
      copy(v2, "nameservers", net, "nameservers");
    } else {
      net.put("mode", "dhcp");
    }
    copy(v2, "homeDisk", m, "homeDisk");
    if (v2.path("rdp").isObject()) {
      ObjectNode rdp = ((ObjectNode) v2.get("rdp")).deepCopy();
      if (rdp.remove("password") != null) {
        LOG.warn("ignoring rdp.password of the schemaVersion 2 manifest: a password there is public (it is in the "
            + "Nix store); Qubix gives each VM a random one of its own (see README, Security)");
      }
      m.set("rdp", rdp);
    }
    copy(v2, "mdnsName", m, "mdnsName");

    ObjectNode images = m.putObject("images");
    if (v2.has("package")) {
      ObjectNode hv = images.putObject("hyperv");
      copy(v2, "package", hv, "package");
      hv.put("format", "vhdx");
    }
    if (v2.has("homePackage")) {
      ObjectNode home = images.putObject("home");
      copy(v2, "homePackage", home, "package");
      home.put("format", "vhdx");
    }
    if (v2.has("vmRoot") || v2.has("switchName") || v2.has("wslDistro")) {
      ObjectNode hv = m.putObject("hyperv");
      copy(v2, "vmRoot", hv, "vmRoot");
      copy(v2, "switchName", hv, "switchName");
      hv.put("generation", v2.path("generation").asInt(2));
      hv.put("secureBoot", v2.path("secureBoot").asBoolean(false));
      copy(v2, "wslDistro", hv, "wslDistro");
    }
    return m;
  }

  private static void copy(ObjectNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    if (v != null) {
      to.set(as, v.deepCopy());
    }
  }
}
