package dev.qubix.manifest.internal;

import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestSection;
import dev.qubix.manifest.Mode;
import dev.qubix.manifest.Network;
import java.util.Map;
import java.util.Set;

/**
 * Reads the common fields of one schemaVersion 3 machine into a {@link MachineManifest}, each group
 * through the rule set that owns it. Every violation lands in the cursor, so a user fixes a
 * manifest in one pass; the machine comes back even then, with null where a field was broken, for
 * a backend's {@link dev.qubix.manifest.ManifestRules} to add its own problems.
 */
public final class MachineRules {
  /** The fields read here; every other top-level field is a section. */
  public static final Set<String> COMMON_FIELDS = Set.of("hostName", "vmName", "mode", "cpuCount",
      "memoryStartupBytes", "maxMemoryBytes", "network", "homeDisk", "rdp", "mdnsName", "images");

  private MachineRules() {}

  public static MachineManifest read(String machine, FieldCursor m, Map<String, ManifestSection> sections) {
    if (!Names.isValid(machine)) {
      m.fail("machine name '" + machine + "' is not allowed: " + Names.RULE);
    }
    String hostName = NameRules.name(m.get("hostName"));
    String vmName = NameRules.name(m.get("vmName"));
    Mode mode = m.get("mode").optionalEnum(Mode.class, "prod or debug").orElse(Mode.PROD);
    Integer cpu = m.get("cpuCount").integer(1, 64, null);
    MemoryRules.Sizes memory = MemoryRules.read(m);
    Network network = NetworkRules.read(m.get("network"));
    if (m.get("network").isObject()) {
      network = network.withEgress(EgressRules.read(m.get("network").get("egress")));
    }
    var home = HomeDiskRules.read(m.get("homeDisk"));
    var rdp = RdpRules.read(m.get("rdp"));
    String mdns = NameRules.mdns(m.get("mdnsName"));
    var images = ImageRules.read(m.get("images"));
    return new MachineManifest(machine, hostName, vmName, mode, cpu == null ? 0 : cpu, memory.startup(), memory.max(),
        network, home, rdp, mdns, images, sections);
  }
}
