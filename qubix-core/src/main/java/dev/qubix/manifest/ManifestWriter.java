package dev.qubix.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Writes a machine back as normalized schemaVersion 3 JSON (what {@code qubixctl manifest --json}
 * prints): the common fields with their defaults filled in, the sections as they were read.
 */
public final class ManifestWriter {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  /** The machine object alone (as under {@code /machines/<name>}), as indented JSON text. */
  public static String toJson(MachineManifest m) {
    try {
      return JSON.writeValueAsString(machineNode(m));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode machineNode(MachineManifest m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("hostName", m.hostName());
    o.put("vmName", m.vmName());
    o.put("mode", m.mode().name().toLowerCase(Locale.ROOT));
    o.put("cpuCount", m.cpuCount());
    o.put("memoryStartupBytes", m.memoryStartup().bytes());
    o.put("maxMemoryBytes", m.maxMemory().bytes());
    ObjectNode net = o.putObject("network");
    Network n = m.network();
    net.put("mode", n.mode().name().toLowerCase(Locale.ROOT));
    if (n.isStatic()) {
      net.put("staticIp", n.staticIp().toString());
      net.put("prefixLength", n.prefixLength());
      net.put("gateway", n.gateway().toString());
      net.put("natSwitchSubnet", n.natSwitchSubnet().toString());
      ArrayNode ns = net.putArray("nameservers");
      n.nameservers().forEach(a -> ns.add(a.toString()));
    }
    ObjectNode egress = net.putObject("egress");
    egress.put("mode", n.egress().mode().name().toLowerCase(Locale.ROOT));
    ArrayNode domains = egress.putArray("domains");
    n.egress().domains().forEach(domains::add);
    ObjectNode home = o.putObject("homeDisk");
    home.put("enable", m.homeDisk().enable());
    home.put("label", m.homeDisk().label());
    home.put("sizeMiB", m.homeDisk().sizeMiB());
    ObjectNode rdp = o.putObject("rdp");
    rdp.put("user", m.rdp().user());
    rdp.put("port", m.rdp().port());
    rdp.put("width", m.rdp().width());
    rdp.put("height", m.rdp().height());
    if (m.mdnsName() != null) {
      o.put("mdnsName", m.mdnsName());
    }
    ObjectNode images = o.putObject("images");
    m.images().values().stream().sorted(java.util.Comparator.comparing(ImageRef::key)).forEach(i -> {
      ObjectNode img = images.putObject(i.key());
      img.put("package", i.packageName());
      img.put("format", i.format().jsonName());
      if (i.file() != null) {
        img.put("file", i.file());
      }
      if (i.storePath() != null) {
        img.put("storePath", i.storePath());
      }
      if (i.path() != null) {
        img.put("path", i.path());
      }
    });
    // a section is its backend's: written back as it was read, defaults and all left to that backend
    m.sections().values().stream().sorted(java.util.Comparator.comparing(ManifestSection::name))
        .forEach(s -> o.set(s.name(), s.value().deepCopy()));
    return o;
  }

  /** A whole schemaVersion 3 document holding this one machine. */
  public static String toDocument(MachineManifest m) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", ManifestReader.SCHEMA_VERSION);
    root.putObject("machines").set(m.name(), machineNode(m));
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
