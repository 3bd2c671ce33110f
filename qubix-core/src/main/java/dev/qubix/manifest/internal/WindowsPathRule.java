package dev.qubix.manifest.internal;

import java.util.Optional;
import java.util.regex.Pattern;

/** What makes a usable absolute Windows path: a drive-letter or UNC root, no '.' segments, no reserved characters. */
public final class WindowsPathRule {
  public static final Pattern ABSOLUTE = Pattern.compile("([A-Za-z]:\\\\|\\\\\\\\[^\\\\/]+\\\\[^\\\\/]+).*");
  /** Characters no Windows file or switch name may hold. */
  public static final String FORBIDDEN = "<>\"|?*";

  private WindowsPathRule() {}

  /** Why {@code path} is not a usable absolute Windows path, or empty when it is. */
  public static Optional<String> problem(String path) {
    if (!ABSOLUTE.matcher(path).matches()) {
      return Optional.of("'" + Names.printable(path) + "' must be an absolute Windows path like C:\\HyperV\\Qubix or \\\\server\\share\\Qubix");
    }
    for (String segment : path.split("[\\\\/]")) {
      if (segment.equals("..") || segment.equals(".")) {
        return Optional.of("'" + Names.printable(path) + "' must not contain '.' or '..' segments");
      }
    }
    String rest = path.length() > 2 && path.charAt(1) == ':' ? path.substring(2) : path;
    if (rest.chars().anyMatch(c -> c < 32 || FORBIDDEN.indexOf(c) >= 0 || c == ':')) {
      return Optional.of("'" + Names.printable(path) + "' contains a character Windows paths cannot hold (" + FORBIDDEN
          + ": or a control character)");
    }
    return Optional.empty();
  }
}
