package dev.qubix.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A manifest document for one machine, as a test declares it: {@code machine("box")} is the smallest
 * valid machine (1 CPU, 256 MiB, DHCP, RDP user {@code rdp}, no images), and each {@code withX}
 * returns a changed copy, so a test can derive variants from one base. {@link #json()} is the
 * document that {@code ManifestReader.read(json, machine, overrides)} reads; {@link #writeTo} the file
 * that {@code Appliance.withManifest(file)} reads. Values are JSON-escaped, so any path may go in.
 */
public final class TestManifest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIB = 1024L * 1024;

  private final String name;
  private final ObjectNode machine;

  private TestManifest(String name, ObjectNode machine) {
    this.name = name;
    this.machine = machine;
  }

  /** Machine {@code name}: hostName {@code name}, vmName {@code qubix-<name>}, 1 CPU, 256 MiB, DHCP, RDP user rdp. */
  public static TestManifest machine(String name) {
    ObjectNode m = JSON.createObjectNode();
    m.put("hostName", name).put("vmName", "qubix-" + name).put("cpuCount", 1)
        .put("memoryStartupBytes", 256 * MIB).put("maxMemoryBytes", 256 * MIB);
    m.putObject("network").put("mode", "dhcp");
    m.putObject("rdp").put("user", "rdp");
    m.putObject("images");
    return new TestManifest(name, m);
  }

  /** The machine's name, as {@code Qubix.appliance(name)} and {@code ManifestReader.read} take it. */
  public String name() {
    return name;
  }

  public TestManifest withHostName(String hostName) {
    return changed(m -> m.put("hostName", hostName));
  }

  public TestManifest withVmName(String vmName) {
    return changed(m -> m.put("vmName", vmName));
  }

  public TestManifest withCpuCount(int cpuCount) {
    return changed(m -> m.put("cpuCount", cpuCount));
  }

  public TestManifest withMemory(long startupBytes, long maxBytes) {
    return changed(m -> m.put("memoryStartupBytes", startupBytes).put("maxMemoryBytes", maxBytes));
  }

  /** {@code network: {mode: dhcp}}, replacing any static settings. */
  public TestManifest withDhcp() {
    return changed(m -> m.putObject("network").put("mode", "dhcp"));
  }

  /** {@code network: {mode: static, staticIp, prefixLength, gateway}}. */
  public TestManifest withStaticIp(String staticIp, int prefixLength, String gateway) {
    return changed(m -> m.putObject("network").put("mode", "static").put("staticIp", staticIp)
        .put("prefixLength", prefixLength).put("gateway", gateway));
  }

  /** Adds {@code natSwitchSubnet} and {@code nameservers} to a static network. */
  public TestManifest withNatSwitch(String subnet, String... nameservers) {
    return changed(m -> {
      ObjectNode network = (ObjectNode) m.get("network");
      network.put("natSwitchSubnet", subnet);
      ArrayNode servers = network.putArray("nameservers");
      for (String s : nameservers) {
        servers.add(s);
      }
    });
  }

  /** {@code homeDisk: {enable: true, sizeMiB}} (no label: the reader's default). */
  public TestManifest withHomeDisk(int sizeMiB) {
    return changed(m -> m.putObject("homeDisk").put("enable", true).put("sizeMiB", sizeMiB));
  }

  /** {@code homeDisk: {enable: true, label, sizeMiB}}. */
  public TestManifest withHomeDisk(String label, int sizeMiB) {
    return changed(m -> m.putObject("homeDisk").put("enable", true).put("label", label).put("sizeMiB", sizeMiB));
  }

  public TestManifest withRdpPort(int port) {
    return changed(m -> ((ObjectNode) m.get("rdp")).put("port", port));
  }

  public TestManifest withMdnsName(String mdnsName) {
    return changed(m -> m.put("mdnsName", mdnsName));
  }

  /** Image {@code image} built from a package ({@code images.<image> = {package, format}}), no path. */
  public TestManifest withImagePackage(String image, String packageName, String format) {
    return changed(m -> ((ObjectNode) m.get("images")).putObject(image).put("package", packageName).put("format", format));
  }

  /** Image {@code image} already on disk at {@code path} (package {@code <machine>-<image>}): no Nix needed. */
  public TestManifest withImage(String image, String format, Path path) {
    return changed(m -> ((ObjectNode) m.get("images")).putObject(image)
        .put("package", name + "-" + image).put("format", format).put("path", path.toString()));
  }

  /** The {@code hyperv} section, as raw JSON (an object; {@code "null"} removes nothing, it declares null). */
  public TestManifest withHyperV(String rawJson) {
    return with("hyperv", rawJson);
  }

  /** Any other machine field, its value as raw JSON: {@code with("mode", "\"debug\"")}. */
  public TestManifest with(String field, String rawJson) {
    JsonNode value = parse(field, rawJson);
    return changed(m -> m.set(field, value));
  }

  /** The whole document: {@code {"schemaVersion": 3, "machines": {<name>: {...}}}}. */
  public String json() {
    ObjectNode doc = JSON.createObjectNode().put("schemaVersion", 3);
    doc.putObject("machines").set(name, machine.deepCopy());
    return doc.toString();
  }

  /** Writes {@link #json()} to {@code file} (creating its folder) and returns {@code file}. */
  public Path writeTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      return Files.writeString(file, json());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test manifest to " + file, e);
    }
  }

  @Override
  public String toString() {
    return json();
  }

  private TestManifest changed(Consumer<ObjectNode> change) {
    ObjectNode copy = machine.deepCopy();
    change.accept(copy);
    return new TestManifest(name, copy);
  }

  private static JsonNode parse(String field, String rawJson) {
    try {
      return JSON.readTree(rawJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the value given for " + field + " is not JSON: " + rawJson
          + " (quote a string: \"\\\"text\\\"\")", e);
    }
  }
}
