package dev.qubix.manifest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.ConfigurationException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;

/** RFC 7396 JSON merge patch through jakarta.json (parsson): an override is just JSON. */
public final class MergePatch {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private MergePatch() {}

  public static ObjectNode apply(ObjectNode target, String patch) {
    try {
      // jakarta's reader stops after the first value: "{…}{" must not pass as a patch
      STRICT.readTree(patch);
    } catch (JsonProcessingException e) {
      throw new ConfigurationException("overrides are not valid JSON (" + e.getOriginalMessage()
          + "); pass an RFC 7396 merge patch such as {\"cpuCount\": 4}");
    }
    JsonValue patchValue;
    try (JsonReader r = Json.createReader(new StringReader(patch))) {
      patchValue = r.readValue();
    } catch (JsonParsingException e) {
      throw new ConfigurationException("overrides are not valid JSON (" + e.getMessage()
          + "); pass an RFC 7396 merge patch such as {\"cpuCount\": 4}");
    } catch (JsonException e) {
      throw new ConfigurationException("overrides could not be read: " + e.getMessage());
    }
    if (patchValue.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new ConfigurationException("overrides must be a JSON object (an RFC 7396 merge patch "
          + "of the machine), e.g. {\"cpuCount\": 4}");
    }
    JsonValue targetValue;
    try (JsonReader r = Json.createReader(new StringReader(target.toString()))) {
      targetValue = r.readValue();
    }
    JsonValue merged = Json.createMergePatch(patchValue).apply(targetValue);
    try {
      JsonNode node = JSON.readTree(merged.toString());
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("merge patch produced unreadable JSON", e);
    }
  }
}
