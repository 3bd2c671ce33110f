package dev.qubix.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.ManifestException;
import dev.qubix.manifest.internal.LegacyManifest;
import dev.qubix.ManifestException.Violation;
import dev.qubix.manifest.internal.MachineRules;
import dev.qubix.manifest.internal.Names;
import dev.qubix.manifest.internal.Pointers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a Qubix manifest (all machines, as the flake output {@code qubix-manifest-json} emits it)
 * into validated records. Accepts schemaVersion 3 and the original PowerShell controller's
 * schemaVersion 2; unknown fields are ignored, missing required ones and invalid values are
 * reported together, each with its JSON pointer.
 */
public final class ManifestReader {
  public static final int SCHEMA_VERSION = 3;
  public static final int LEGACY_SCHEMA_VERSION = 2;

  /** Trailing tokens fail: "{…}garbage" is a broken file, not a manifest with a harmless tail. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ManifestReader() {}

  /** Reads one machine from a manifest document. */
  public static MachineManifest read(String json, String machine) {
    return read(json, machine, null);
  }

  /**
   * Reads one machine, first applying an RFC 7396 merge patch ({@code overrides}, may be null) to
   * that machine's schemaVersion 3 object, so that an override is validated like any other value.
   * Checks core's rules only: see {@link #read(String, String, String, ManifestRules)}.
   */
  public static MachineManifest read(String json, String machine, String overrides) {
    return read(json, machine, overrides, ManifestRules.NONE);
  }

  /**
   * Reads one machine as {@link #read(String, String, String)} does, and checks the backend's
   * {@code rules} too: every problem, core's first, comes in one {@link ManifestException}.
   */
  public static MachineManifest read(String json, String machine, String overrides, ManifestRules rules) {
    return read(json, machine, Overrides.parse(overrides), rules);
  }

  /** As {@link #read(String, String, String, ManifestRules)}, with overrides parsed once beforehand. */
  public static MachineManifest read(String json, String machine, Overrides overrides, ManifestRules rules) {
    ObjectNode v3 = machineObject(json, machine);
    if (overrides.patch().isPresent()) {
      v3 = overrides.patch().get().apply(v3);
    }
    String pointer = Pointers.machine(machine);
    FieldCursor fields = new FieldCursor(v3, pointer);
    MachineManifest m = MachineRules.read(machine, fields, sections(v3, pointer));
    List<Violation> violations = new ArrayList<>(fields.violations());
    violations.addAll(rules.check(m));
    if (!violations.isEmpty()) {
      throw new ManifestException(violations);
    }
    return m;
  }

  /** Every top-level field core does not read, kept as written for the backend that owns it. */
  private static Map<String, ManifestSection> sections(ObjectNode machine, String pointer) {
    Map<String, ManifestSection> sections = new LinkedHashMap<>();
    machine.fields().forEachRemaining(e -> {
      if (!MachineRules.COMMON_FIELDS.contains(e.getKey())) {
        sections.put(e.getKey(), new ManifestSection(e.getKey(), pointer + "/" + Pointers.escape(e.getKey()), e.getValue()));
      }
    });
    return sections;
  }

  public static MachineManifest read(Path file, String machine, String overrides) {
    return read(readDocument(file), machine, overrides);
  }

  /** The machine's object in schemaVersion 3 form (a schemaVersion 2 document is converted). */
  private static ObjectNode machineObject(String json, String machine) {
    ObjectNode machines = machines(parse(json));
    JsonNode node = machines.get(machine);
    if (node == null) {
      List<String> known = new ArrayList<>();
      machines.fieldNames().forEachRemaining(known::add);
      throw new ManifestException(Pointers.machine(machine),
          "no machine named '" + Names.printable(machine) + "' in the manifest; known machines: "
              + (known.isEmpty() ? "(none)" : String.join(", ", known)));
    }
    if (!node.isObject()) {
      throw new ManifestException(Pointers.machine(machine), "must be an object");
    }
    return (ObjectNode) node;
  }

  /** Names of the machines in a manifest document. */
  public static List<String> machineNames(String json) {
    List<String> names = new ArrayList<>();
    machines(parse(json)).fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The whole document's machines in schemaVersion 3 form. */
  static ObjectNode machines(JsonNode root) {
    if (!root.isObject()) {
      throw new ManifestException("", "a manifest must be a JSON object");
    }
    JsonNode version = root.get("schemaVersion");
    if (version == null) {
      throw new ManifestException("/schemaVersion", "missing; Qubix reads schemaVersion 3 (and 2, the original controller's)");
    }
    if (!version.isInt() || (version.intValue() != SCHEMA_VERSION && version.intValue() != LEGACY_SCHEMA_VERSION)) {
      throw new ManifestException("/schemaVersion", "unsupported schemaVersion " + version
          + "; Qubix reads schemaVersion 3 (and 2, the original controller's): rebuild the manifest with this flake");
    }
    UnaryOperator<ObjectNode> convert = version.intValue() == LEGACY_SCHEMA_VERSION
        ? LegacyManifest::toV3 : UnaryOperator.identity();
    JsonNode machines = root.get("machines");
    ObjectNode out = JSON.createObjectNode();
    if (machines == null && version.intValue() == LEGACY_SCHEMA_VERSION && root.has("hostName")) {
      // the original controller also wrote single-machine files: the machine is the document
      out.set(root.get("hostName").asText(), convert.apply((ObjectNode) root));
      return out;
    }
    if (machines == null || !machines.isObject()) {
      throw new ManifestException("/machines", "missing or not an object (machine name → settings)");
    }
    machines.fields().forEachRemaining(e -> out.set(e.getKey(),
        e.getValue().isObject() ? convert.apply((ObjectNode) e.getValue()) : e.getValue()));
    return out;
  }

  static JsonNode parse(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new ManifestException("", "the manifest is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ManifestException("", "not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** Reads a manifest file as UTF-8 text, with errors that say which file and what to do. */
  public static String readDocument(Path file) {
    try {
      return Files.readString(file);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new dev.qubix.ConfigurationException("manifest " + file + " is not UTF-8 text: pass UTF-8 JSON to withManifest / "
          + "--manifest (the flake output qubix-manifest-json is)", e);
    } catch (IOException e) {
      throw new dev.qubix.ConfigurationException("cannot read manifest " + file + ": " + e.getMessage()
          + " (check the path given to withManifest / --manifest)", e);
    }
  }

}
