package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** What gc.ps1 kept and why, as sentences for the log: a kept base image is never a silent no-op. */
public final class GcReport {
  private GcReport() {}

  public static List<String> kept(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.path("kept").forEach(k -> out.add("kept " + (k.isObject() ? k.path("path").asText() + ": " + k.path("why").asText()
        : k.asText())));
    return out;
  }
}
