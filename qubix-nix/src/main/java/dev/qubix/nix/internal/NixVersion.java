package dev.qubix.nix.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of the Nix Qubix runs, read once per process and nix command, and the one rule that
 * follows from it: nixpkgs 25.11 (what nix/flake.lock pins) refuses to evaluate on Nix older than
 * 2.18 (nixpkgs lib/minfeatures.nix: "builtins.nixVersion reports at least 2.18"), so such a Nix is
 * refused with how to get a newer one, before a build that could only fail. Input-free flakes build
 * on any version.
 */
public record NixVersion(int major, int minor, int patch, String text) {
  /** What nixpkgs 25.11 requires (lib/minfeatures.nix). */
  public static final NixVersion NIXPKGS_MINIMUM = new NixVersion(2, 18, 0, "2.18");
  private static final Pattern NUMBERS = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
  private static final Map<List<String>, NixVersion> SEEN = new ConcurrentHashMap<>();
  static final String HOW = "install a newer Nix: Debian 13's nix-bin (2.26), the Nix installer "
      + "(https://nixos.org/download), or on Windows the NixOS-WSL distribution; then set QUBIX_NIX to it if it is "
      + "not the nix on PATH";

  /** Parses {@code nix (Nix) 2.8.0}, {@code nix (Nix) 2.26.3}, {@code nix (Lix, like Nix) 2.91.1}. */
  public static NixVersion parse(String versionOutput) {
    String line = versionOutput.strip().lines().findFirst().orElse("");
    Matcher m = NUMBERS.matcher(line.substring(Math.max(0, line.lastIndexOf(')') + 1)));
    if (!m.find()) {
      m = NUMBERS.matcher(line);
      if (!m.find()) {
        throw new IllegalArgumentException("not a Nix version: " + line);
      }
    }
    return new NixVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), m.group());
  }

  /** {@code nix --version} through {@code nix} (locally or in WSL), once per process. */
  public static NixVersion of(NixCommand nix, CommandRunner runner) {
    Command c = nix.version();
    return SEEN.computeIfAbsent(c.argv(), argv -> {
      CommandResult r = runner.run(c.withTimeout(Duration.ofMinutes(1)).allowingFailure());
      if (!r.ok()) {
        nix.checkNixFound(r);
        throw new BackendUnavailableException("cannot run " + String.join(" ", argv) + " (exit " + r.exitCode() + ": "
            + String.join(" ", r.stderrTail(3)) + "): " + HOW);
      }
      return parse(r.stdout());
    });
  }

  public boolean isAtLeast(NixVersion other) {
    return compare(this, other) >= 0;
  }

  private static int compare(NixVersion a, NixVersion b) {
    int c = Integer.compare(a.major, b.major);
    c = c != 0 ? c : Integer.compare(a.minor, b.minor);
    return c != 0 ? c : Integer.compare(a.patch, b.patch);
  }

  /**
   * Before a build: a flake whose lock pins nixpkgs cannot evaluate on a Nix older than 2.18. Said
   * now, with the versions and the fix, instead of nixpkgs' own error after the input was fetched.
   */
  public void requireForFlake(Path lockFile, String flakeRef) {
    if (isAtLeast(NIXPKGS_MINIMUM) || !locksNixpkgs(lockFile)) {
      return;
    }
    throw tooOld(flakeRef + " locks a nixpkgs input (" + lockFile + ")");
  }

  /** Whether a failed build's log reads like nixpkgs refusing the Nix version. */
  public static boolean mayBeTooOld(List<String> logTail) {
    String log = String.join("\n", logTail).toLowerCase(java.util.Locale.ROOT);
    return log.contains("at least") && log.contains("nix") && (log.contains("2.18") || log.contains("feature"));
  }

  /** After a failed build: nixpkgs' own refusal of this Nix, said as the same clear error. */
  public void explainFailure(List<String> logTail, String flakeRef) {
    if (isAtLeast(NIXPKGS_MINIMUM)) {
      return;
    }
    if (mayBeTooOld(logTail)) {
      throw tooOld(flakeRef + " refused this Nix: " + logTail.stream().filter(l -> l.toLowerCase(java.util.Locale.ROOT)
          .contains("at least")).findFirst().orElse("").strip());
    }
  }

  private BackendUnavailableException tooOld(String why) {
    return new BackendUnavailableException("Nix " + text + " is too old for this flake: " + why + ", and its nixpkgs "
        + "needs Nix " + NIXPKGS_MINIMUM.text + " or newer. " + HOW + ". (Input-free flakes, like the tiny test guest, "
        + "still build on Nix " + text + ".)");
  }

  public static boolean locksNixpkgs(Path lockFile) {
    try {
      if (!Files.isRegularFile(lockFile)) {
        return false;
      }
      String lock = Files.readString(lockFile, StandardCharsets.UTF_8);
      return lock.contains("\"NixOS\"") && lock.contains("\"nixpkgs\"") || lock.contains("github:NixOS/nixpkgs");
    } catch (IOException e) {
      return false;
    }
  }
}
