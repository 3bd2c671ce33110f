package dev.qubix.spi;

import dev.qubix.ConfigurationException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure mapping between Windows paths and paths inside a WSL distribution, so that Windows Java can
 * run Nix through {@code wsl.exe} and open what it built:
 * {@code \\wsl.localhost\NixOS\home\me\x} and {@code \\wsl$\NixOS\…} ↔ (NixOS, /home/me/x);
 * {@code C:\Users\me} → {@code /mnt/c/Users/me}; {@code /nix/store/…} → {@code \\wsl.localhost\NixOS\nix\store\…}.
 */
public final class WslPaths {
  /** The distribution Qubix uses when neither the path nor the manifest names one. */
  public static final String DEFAULT_DISTRO = "NixOS";
  private static final Pattern UNC = Pattern.compile("(?i)^[\\\\/]{2}(wsl\\.localhost|wsl\\$)[\\\\/]([^\\\\/]+)((?:[\\\\/].*)?)$");
  private static final Pattern DRIVE = Pattern.compile("^([A-Za-z]):[\\\\/](.*)$"); // "C:" alone is drive-relative: ambiguous

  private WslPaths() {}

  /** A path inside a distribution. */
  public record Location(String distro, String linuxPath) {}

  /** The distribution a UNC path points into, if it is one. */
  public static Optional<String> distroOf(String windowsPath) {
    Matcher m = UNC.matcher(windowsPath);
    return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
  }

  /**
   * A Windows path as seen from inside WSL. UNC paths into a distribution keep their distribution;
   * drive paths are under {@code /mnt/<drive>} of {@code fallbackDistro}.
   */
  public static Location toLinux(String windowsPath, String fallbackDistro) {
    check(windowsPath);
    Matcher unc = UNC.matcher(windowsPath);
    if (unc.matches()) {
      String rest = unc.group(3).replace('\\', '/');
      return new Location(unc.group(2), normalise(rest.isEmpty() ? "/" : rest, windowsPath));
    }
    Matcher drive = DRIVE.matcher(windowsPath);
    if (drive.matches()) {
      String rest = drive.group(2).replace('\\', '/');
      String linux = "/mnt/" + drive.group(1).toLowerCase(Locale.ROOT) + (rest.isEmpty() ? "" : "/" + rest);
      return new Location(fallbackDistro, normalise(linux, windowsPath));
    }
    throw new ConfigurationException("cannot map '" + windowsPath + "' into WSL: use a drive path like C:\\Users\\me\\qubix "
        + "or a \\\\wsl.localhost\\<distro>\\… path");
  }

  /** A Linux path inside {@code distro} as Windows opens it. */
  public static String toWindows(String distro, String linuxPath) {
    check(linuxPath);
    if (!linuxPath.startsWith("/")) {
      throw new ConfigurationException("cannot map '" + linuxPath + "' out of WSL: it is not an absolute Linux path");
    }
    if (distro == null || distro.isBlank() || distro.contains("\\") || distro.contains("/")) {
      throw new ConfigurationException("'" + distro + "' is not a WSL distribution name");
    }
    String p = normalise(linuxPath, linuxPath);
    Matcher mnt = Pattern.compile("^/mnt/([a-z])(/.*)?$").matcher(p);
    if (mnt.matches()) {
      String rest = mnt.group(2) == null ? "\\" : mnt.group(2).replace('/', '\\');
      return mnt.group(1).toUpperCase(Locale.ROOT) + ":" + rest;
    }
    return "\\\\wsl.localhost\\" + distro + p.replace('/', '\\');
  }

  private static String normalise(String linuxPath, String original) {
    String p = linuxPath.replaceAll("/+", "/");
    for (String segment : p.split("/")) {
      if (segment.equals("..")) {
        throw new ConfigurationException("cannot map '" + original + "': '..' segments are not allowed");
      }
    }
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static void check(String path) {
    if (path == null || path.isEmpty() || path.chars().anyMatch(c -> c < 32)) {
      throw new ConfigurationException("cannot map an empty path or one with control characters into or out of WSL");
    }
  }
}
