package dev.qubix.nix.internal;

import dev.qubix.ConfigurationException;
import java.util.regex.Pattern;

/**
 * Quotes the words after {@code wsl.exe … --} so that they reach Nix unchanged.
 *
 * <p>Without {@code --exec}, wsl.exe does not split its command line: it hands everything after
 * {@code --} verbatim to the distribution's default shell as {@code $SHELL -c "<rest>"}. (On
 * NixOS-WSL {@code --exec} is no way out: Nix is only on the PATH the shell sets up.) So each word
 * crosses two parsers: Java's Windows command-line assembly, which wraps an argument in double
 * quotes when it contains a space or tab but passes an argument that already starts and ends with
 * {@code "} as it is; then the POSIX shell. A path like {@code /mnt/c/Users/O'Brien/qubix} or an
 * option value with {@code $}, {@code &}, {@code (} or a space would otherwise be re-interpreted
 * by that shell.
 *
 * <p>Words made only of characters no shell treats specially are left alone; every other word is
 * double-quoted here, with {@code \ $ `} escaped, so Java leaves it alone and the shell removes
 * exactly those quotes. A word with a double quote or a control character is refused: it could not
 * cross both parsers intact.
 */
public final class WslShellWords {
  /** Characters that mean nothing to a POSIX shell anywhere in a word, nor to Java's quoting. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-][A-Za-z0-9_@%+=:,./#-]*");

  private WslShellWords() {}

  public static String quote(String word) {
    if (word.indexOf('"') >= 0 || word.chars().anyMatch(c -> c < 32 || c == 127)) {
      throw new ConfigurationException("cannot pass " + printable(word) + " to Nix through wsl.exe: "
          + "double quotes and control characters do not survive its command line");
    }
    if (PLAIN.matcher(word).matches()) {
      return word;
    }
    StringBuilder q = new StringBuilder(word.length() + 8).append('"');
    for (char c : word.toCharArray()) {
      if (c == '\\' || c == '$' || c == '`') {
        q.append('\\');
      }
      q.append(c);
    }
    return q.append('"').toString();
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder("'");
    s.chars().forEach(c -> b.append(c < 32 || c == 127 ? String.format("\\x%02x", c) : String.valueOf((char) c)));
    return b.append('\'').toString();
  }
}
