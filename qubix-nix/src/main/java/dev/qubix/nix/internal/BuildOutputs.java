package dev.qubix.nix.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.QubixException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --json} result of {@code nix build}: one object per built derivation, {@code outputs.out}
 * being the store path. Nix 2.8 sorts them by derivation; newer Nix keeps argument order — callers
 * must not rely on either. Unknown fields (newer Nix adds startTime, cpuUser, …)
 * are ignored. ({@code --print-out-paths} would be simpler but does not exist in Nix 2.8.)
 */
public final class BuildOutputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BuildOutputs() {}

  public static List<String> parse(String stdout, int expected) {
    JsonNode root;
    try {
      root = JSON.readTree(stdout.strip().isEmpty() ? "[]" : stdout);
    } catch (Exception e) {
      throw new QubixException("nix build printed something other than its JSON result: " + abbreviate(stdout));
    }
    // identical derivations are reported once, so there may be fewer results than installables
    if (!root.isArray() || root.size() == 0 || root.size() > expected) {
      throw new QubixException("nix build returned " + (root.isArray() ? root.size() : 0) + " results for "
          + expected + " installables: " + abbreviate(stdout));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode r : root) {
      JsonNode path = r.path("outputs").path("out");
      if (!path.isTextual() || !path.asText().startsWith("/nix/store/")) {
        throw new QubixException("nix build result has no store path in outputs.out: " + abbreviate(r.toString()));
      }
      out.add(path.asText());
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
