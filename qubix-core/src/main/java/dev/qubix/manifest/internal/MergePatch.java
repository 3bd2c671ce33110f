package dev.qubix.manifest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.ConfigurationException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonMergePatch;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;

/**
 * An RFC 7396 JSON merge patch through jakarta.json (parsson), parsed and checked once: an override
 * is just JSON, applied to each manifest read without being parsed again.
 */
public final class MergePatch {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonMergePatch patch;

  private MergePatch(JsonMergePatch patch) {
    this.patch = patch;
  }

  /** The patch in {@code text}; a clear error when it is not one JSON object. */
  public static MergePatch parse(String text) {
    JsonValue value;
    try (JsonParser parser = Json.createParser(new StringReader(text))) {
      if (!parser.hasNext()) {
        throw invalid("no JSON value");
      }
      parser.next();
      value = parser.getValue();
      // the parser stops after the first value: "{…}{" must not pass as a patch
      if (parser.hasNext()) {
        throw invalid("unexpected text after the first JSON value");
      }
    } catch (ConfigurationException e) {
      throw e;
    } catch (JsonParsingException e) {
      throw invalid(e.getMessage());
    } catch (JsonException | IllegalStateException e) {
      throw new ConfigurationException("overrides could not be read: " + e.getMessage());
    } catch (RuntimeException e) {
      // parsson refuses input nested deeper than 1000 with a plain RuntimeException
      throw invalid(e.getMessage());
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new ConfigurationException("overrides must be a JSON object (an RFC 7396 merge patch "
          + "of the machine), e.g. {\"cpuCount\": 4}");
    }
    return new MergePatch(Json.createMergePatch(value));
  }

  public ObjectNode apply(ObjectNode target) {
    JsonValue targetValue;
    try (JsonReader r = Json.createReader(new StringReader(target.toString()))) {
      targetValue = r.readValue();
    }
    JsonValue merged = patch.apply(targetValue);
    try {
      JsonNode node = JSON.readTree(merged.toString());
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("merge patch produced unreadable JSON", e);
    }
  }

  private static ConfigurationException invalid(String why) {
    return new ConfigurationException("overrides are not valid JSON (" + why
        + "); pass an RFC 7396 merge patch such as {\"cpuCount\": 4}");
  }
}
