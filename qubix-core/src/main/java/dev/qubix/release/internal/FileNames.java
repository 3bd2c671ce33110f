package dev.qubix.release.internal;

/** Names of files in a release folder: plain names, never a path that could leave the folder. */
public final class FileNames {
  private FileNames() {}

  /** One name, no {@code /} or {@code \}, not {@code .} or {@code ..}, no NUL or control character, at most 255 characters. */
  public static boolean isPlain(String name) {
    if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (char c : name.toCharArray()) {
      if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || c == ':') {
        return false;
      }
    }
    return true;
  }

  /** The name with control characters escaped, safe to show in a message. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  /** The file an image becomes in the cache: the release's name without {@code .gz}. */
  public static String unpacked(String name) {
    return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
  }
}
