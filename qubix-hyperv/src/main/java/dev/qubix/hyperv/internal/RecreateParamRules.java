package dev.qubix.hyperv.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The whole-number parameters of recreate.ps1 and the ranges its {@code Get-QubixInt} calls accept,
 * mirrored here so that a plan Java makes is one the script takes: ScriptConventionsTest checks that
 * the script holds exactly these calls, and that every planned parameter set passes them. (A home
 * disk switched off once sent homeSizeBytes = 0, which the script refused on every recreate.)
 */
public final class RecreateParamRules {
  /** Hyper-V allocates guest memory in 2 MiB pages; New-VM and Set-VMMemory refuse other values. */
  public static final long MEMORY_ALIGNMENT = 2L << 20;

  /**
   * One {@code Get-QubixInt} call. {@code when} is the PowerShell condition the call sits behind
   * (null: always read) and {@code applies} the same condition over the Java parameter map.
   */
  public record Rule(String name, long min, long max, long multipleOf, String when, Predicate<Map<String, Object>> applies) {
    /** Why {@code params} fails this rule, as the script would say it; empty when it passes. */
    public Optional<String> violation(Map<String, Object> params) {
      if (!applies.test(params)) {
        return Optional.empty();
      }
      Object v = params.get(name);
      if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
        return Optional.of("parameter " + name + " must be a whole number from " + min + " to " + max + ", is " + v);
      }
      if (((Number) v).longValue() % multipleOf != 0) {
        return Optional.of("parameter " + name + " must be a multiple of " + multipleOf + ", is " + v);
      }
      return Optional.empty();
    }
  }

  private static final Predicate<Map<String, Object>> ALWAYS = p -> true;

  public static final List<Rule> RECREATE = List.of(
      new Rule("homeSizeBytes", 1L << 20, 1L << 46, 1, "$p.homeDisk", p -> Boolean.TRUE.equals(p.get("homeDisk"))),
      new Rule("generation", 1, 2, 1, null, ALWAYS),
      new Rule("cpuCount", 1, 64, 1, null, ALWAYS),
      new Rule("memoryStartupBytes", 256L << 20, 1L << 40, MEMORY_ALIGNMENT, null, ALWAYS),
      new Rule("memoryMinimumBytes", 32L << 20, 1L << 40, MEMORY_ALIGNMENT, null, ALWAYS),
      new Rule("maxMemoryBytes", 256L << 20, 1L << 40, MEMORY_ALIGNMENT, null, ALWAYS),
      new Rule("waitSeconds", 1, 3600, 1, null, ALWAYS),
      new Rule("prefixLength", 1, 30, 1, "$p.network -eq 'static'", p -> "static".equals(p.get("network"))),
      new Rule("backupKeep", 1, 1000, 1, "$steps -contains 'backup-home'",
          p -> p.get("steps") instanceof List<?> steps && steps.contains("backup-home")));

  private RecreateParamRules() {}

  /** Every way {@code params} fails the script's rules. */
  public static List<String> violations(Map<String, Object> params) {
    return RECREATE.stream().flatMap(r -> r.violation(params).stream()).toList();
  }
}
