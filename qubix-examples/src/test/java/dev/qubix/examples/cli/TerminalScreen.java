package dev.qubix.examples.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal shows after some output: the few controls qubixctl writes (CR, LF, erase line
 * {@code ESC[2K}, erase to end {@code ESC[K}, backspace) applied to rows of text; other escape
 * sequences are dropped. Enough to see whether two lines ran together.
 */
final class TerminalScreen {
  private final List<StringBuilder> rows = new ArrayList<>(List.of(new StringBuilder()));
  private int col;

  static List<String> of(String output) {
    TerminalScreen s = new TerminalScreen();
    s.feed(output);
    return s.rows();
  }

  void feed(String output) {
    for (int i = 0; i < output.length(); i++) {
      char c = output.charAt(i);
      StringBuilder row = rows.get(rows.size() - 1);
      if (c == '\r') {
        col = 0;
      } else if (c == '\n') {
        rows.add(new StringBuilder());
        col = 0;
      } else if (c == '\b') {
        col = Math.max(0, col - 1);
      } else if (c == '\033' && i + 1 < output.length() && output.charAt(i + 1) == '[') {
        int j = i + 2;
        while (j < output.length() && (Character.isDigit(output.charAt(j)) || output.charAt(j) == ';' || output.charAt(j) == '?')) {
          j++;
        }
        if (j < output.length()) {
          String params = output.substring(i + 2, j);
          char op = output.charAt(j);
          if (op == 'K' && params.equals("2")) {
            row.setLength(0);
          } else if (op == 'K' && (params.isEmpty() || params.equals("0"))) {
            row.setLength(Math.min(row.length(), col));
          }
        }
        i = j;
      } else {
        while (row.length() < col) {
          row.append(' ');
        }
        if (col < row.length()) {
          row.setCharAt(col, c);
        } else {
          row.append(c);
        }
        col++;
      }
    }
  }

  List<String> rows() {
    return rows.stream().map(r -> r.toString().stripTrailing()).toList();
  }
}
