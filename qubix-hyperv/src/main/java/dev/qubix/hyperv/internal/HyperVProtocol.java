package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.BackendUnavailableException;
import dev.qubix.QubixException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scripts' output protocol: {@code ::qubix-step::{json}}, {@code ::qubix-bytes::{json}},
 * exactly one {@code ::qubix-result::{json}} or {@code ::qubix-error::{json}}. Everything else
 * (PowerShell noise, localized warnings) is kept aside for the debug log and error messages.
 * Only the first result or error counts: a value echoed later cannot replace it.
 */
public final class HyperVProtocol {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "::qubix-";

  private HyperVProtocol() {}

  /** One parsed line. */
  public record Line(Kind kind, JsonNode data, String raw) {}

  public enum Kind { STEP, BYTES, RESULT, ERROR, NOISE }

  /** The outcome of one script run. */
  public record Outcome(List<Line> steps, Optional<JsonNode> result, Optional<JsonNode> error, List<String> noise) {}

  public static Line parseLine(String raw) {
    String line = raw.replace("\r", "").strip();
    if (!line.startsWith(PREFIX)) {
      return new Line(Kind.NOISE, null, raw);
    }
    int end = line.indexOf("::", PREFIX.length());
    if (end < 0) {
      return new Line(Kind.NOISE, null, raw);
    }
    String kind = line.substring(PREFIX.length(), end);
    Kind k = switch (kind) {
      case "step" -> Kind.STEP;
      case "bytes" -> Kind.BYTES;
      case "result" -> Kind.RESULT;
      case "error" -> Kind.ERROR;
      default -> Kind.NOISE;
    };
    if (k == Kind.NOISE) {
      return new Line(Kind.NOISE, null, raw);
    }
    try {
      JsonNode data = JSON.readTree(line.substring(end + 2));
      return data != null && data.isObject() ? new Line(k, data, raw) : new Line(Kind.NOISE, null, raw);
    } catch (Exception e) {
      return new Line(Kind.NOISE, null, raw);   // a line cut off mid-JSON is noise, not a result
    }
  }

  /** Reads a whole run whose stderr is not known (tests of the stdout protocol alone). */
  public static JsonNode outcome(String script, int exitCode, List<String> lines) {
    return outcome(script, exitCode, lines, "");
  }

  /**
   * Reads a whole run. A script that exits non-zero without an error line, or zero without a result
   * line, failed in a way the protocol did not catch: that is an error too, with the noise and the
   * tail of stderr as detail (where PowerShell itself says why it would not run a script).
   */
  public static JsonNode outcome(String script, int exitCode, List<String> lines, String stderr) {
    Outcome o = parse(lines);
    String stderrTail = tail(stderr == null ? List.of() : stderr.lines().filter(l -> !l.isBlank()).toList(), 10);
    if (o.error().isPresent()) {
      JsonNode e = o.error().get();
      String message = e.path("message").asText("unknown error");
      String command = e.path("command").asText("");
      if (!command.isBlank() && !message.contains(command)) {
        message = command + ": " + message;
      }
      String category = e.path("category").asText("error");
      String fix = e.path("fix").asText("");
      String step = e.path("step").asText("");
      if (category.equals("permission") || category.equals("hyperv-missing") || category.equals("language-mode")) {
        // the same exception the Java-side checks throw: callers handle "cannot use Hyper-V here" once
        throw new BackendUnavailableException(HyperVScriptException.text(script, message, fix, step) + stderrTail);
      }
      throw new HyperVScriptException(script, message + stderrTail, category, fix, step);
    }
    if (exitCode != 0 && ExecutionPolicy.blocked(stderr)) {
      throw new BackendUnavailableException(script + ": PowerShell refused to run the script because of the execution "
          + "policy — " + ExecutionPolicy.FIX + stderrTail);
    }
    if (exitCode != 0 || o.result().isEmpty()) {
      throw new QubixException(script + " " + (exitCode != 0 ? "exited with " + exitCode : "printed no result")
          + " without an error line" + tail(o.noise(), 10) + stderrTail);
    }
    return o.result().get();
  }

  private static String tail(List<String> lines, int n) {
    List<String> t = lines.subList(Math.max(0, lines.size() - n), lines.size());
    return t.isEmpty() ? "" : ":\n  " + String.join("\n  ", t);
  }

  public static Outcome parse(List<String> lines) {
    List<Line> steps = new ArrayList<>();
    List<String> noise = new ArrayList<>();
    JsonNode result = null;
    JsonNode error = null;
    for (String raw : lines) {
      Line l = parseLine(raw);
      switch (l.kind()) {
        case STEP, BYTES -> steps.add(l);
        case RESULT -> result = result == null ? l.data() : result;
        case ERROR -> error = error == null ? l.data() : error;
        case NOISE -> {
          if (!raw.isBlank()) {
            noise.add(raw.replace("\r", ""));
          }
        }
      }
    }
    return new Outcome(steps, Optional.ofNullable(result), Optional.ofNullable(error), noise);
  }
}
