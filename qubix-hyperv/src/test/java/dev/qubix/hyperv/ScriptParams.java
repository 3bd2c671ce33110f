package dev.qubix.hyperv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.hyperv.FakeHyperVHost.ScriptError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code -Params} of one script run as {@link FakeHyperVHost} reads them: decoded as
 * {@code ConvertFrom-QubixParams} decodes them and checked as the scripts' {@code Get-Qubix*}
 * functions check each value, refusing with the same {@code invalid-parameter} error.
 */
final class ScriptParams {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern WINDOWS_PATH = Pattern.compile("^([A-Za-z]:\\\\|\\\\\\\\[^\\\\/]+\\\\[^\\\\/]+).*");

  private final JsonNode json;

  private ScriptParams(JsonNode json) {
    this.json = json;
  }

  static ScriptParams decode(String encoded) {
    if (encoded.length() > 65536 || !BASE64.matcher(encoded).matches()) {
      throw new ScriptError("Params must be one base64 string", "invalid-parameter", "");
    }
    try {
      JsonNode p = JSON.readTree(Base64.getDecoder().decode(encoded));
      if (p != null && p.isObject()) {
        return new ScriptParams(p);
      }
    } catch (IOException e) {
      // the same refusal as a JSON value that is not an object
    }
    throw new ScriptError("Params must be a JSON object", "invalid-parameter", "");
  }

  static ScriptError invalid(String name, String why) {
    return new ScriptError("parameter " + name + " " + why, "invalid-parameter", "");
  }

  /** recreate.ps1's {@code steps}: each one the script knows. */
  List<String> steps(Set<String> known) {
    List<String> steps = new ArrayList<>();
    for (JsonNode s : value("steps")) {
      if (!s.isTextual() || !known.contains(s.asText())) {
        throw invalid("steps", "names a step this script does not know");
      }
      steps.add(s.asText());
    }
    return steps;
  }

  String text(String name) {
    JsonNode v = value(name);
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw invalid(name, "is not a string");
    }
    return v.asText();
  }

  /** Get-QubixBackupName: a file name in the backups folder, never a dot segment. */
  String backupName(String name) {
    String v = text(name);
    if (!v.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}") || v.contains("..")) {
      throw invalid(name, "is not a backup name (letters, digits, ., _ and -; no ..)");
    }
    return v;
  }

  /** Get-QubixName: a VM name, never the folder of the cached base images. */
  String name(String name) {
    String v = text(name);
    if (!NAME.matcher(v).matches()) {
      throw invalid(name, "is not a valid name");
    }
    if (v.equals("images")) {
      throw invalid(name, "must not be images (the folder of the cached base images)");
    }
    return v;
  }

  /** Get-QubixPath: an absolute drive or UNC path without dot segments, its trailing backslash trimmed. */
  String path(String name) {
    String v = text(name);
    if (v.length() > 1024 || !WINDOWS_PATH.matcher(v).matches()) {
      throw invalid(name, "is not an absolute Windows path");
    }
    for (String segment : v.split("[\\\\/]")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid(name, "contains a dot segment");
      }
    }
    return v.length() > 3 && v.endsWith("\\") ? v.replaceAll("\\\\+$", "") : v;
  }

  /** A path that may be absent or null (Get-QubixPath -Optional). */
  String optionalPath(String name) {
    return json.path(name).isMissingNode() || json.path(name).isNull() ? null : path(name);
  }

  boolean bool(String name) {
    JsonNode v = value(name);
    if (!v.isBoolean()) {
      throw invalid(name, "must be true or false");
    }
    return v.asBoolean();
  }

  long integer(String name, long min, long max, long multipleOf) {
    JsonNode v = value(name);
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw invalid(name, "must be a whole number from " + min + " to " + max);
    }
    if (v.asLong() % multipleOf != 0) {
      throw invalid(name, "must be a multiple of " + multipleOf);
    }
    return v.asLong();
  }

  String choice(String name, String... allowed) {
    String v = text(name);
    if (!List.of(allowed).contains(v)) {
      throw invalid(name, "must be one of " + String.join(", ", allowed));
    }
    return v;
  }

  private JsonNode value(String name) {
    JsonNode v = json.get(name);
    if (v == null || v.isNull()) {
      throw invalid(name, "is missing");
    }
    return v;
  }
}
