package dev.qubix.exec;

import java.util.ArrayList;
import java.util.List;

/** Line splitting and tails for program output. */
public final class Tails {
  private Tails() {}

  /** Splits on LF, drops CR (programs run through wsl.exe end lines with CRLF) and blank lines. */
  public static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String line : text.split("\n", -1)) {
      String l = stripCr(line);
      if (!l.isBlank()) {
        out.add(l);
      }
    }
    return out;
  }

  public static String stripCr(String line) {
    return line.replace("\r", "");
  }

  public static <T> List<T> last(List<T> items, int n) {
    return List.copyOf(items.subList(Math.max(0, items.size() - n), items.size()));
  }
}
