package dev.qubix.release.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SHA256SUMS} file as {@code sha256sum} writes it: {@code <64 hex>  <name>} per line (or
 * {@code <64 hex> *<name>}, binary mode). Written sorted by name with {@code \n} endings, so the same
 * files always give the same bytes.
 */
public record Sha256Sums(Map<String, String> hashByName) {
  public static final String FILE = "SHA256SUMS";
  private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

  public Sha256Sums {
    hashByName = Map.copyOf(hashByName);
  }

  /** Parses the file; {@code where} names it in errors (thrown as {@link IllegalArgumentException}). */
  public static Sha256Sums parse(byte[] content, String where) {
    Map<String, String> out = new TreeMap<>();
    int n = 0;
    for (String line : new String(content, StandardCharsets.UTF_8).split("\r?\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException(where + " line " + n + " is not '<sha256>  <file>' (sha256sum format)");
      }
      String name = m.group(2);
      if (!FileNames.isPlain(name)) {
        throw new IllegalArgumentException(where + " line " + n + " names '" + FileNames.printable(name)
            + "', which is not a plain file name in the release folder");
      }
      if (out.put(name, m.group(1).toLowerCase(java.util.Locale.ROOT)) != null) {
        throw new IllegalArgumentException(where + " lists " + name + " twice");
      }
    }
    return new Sha256Sums(out);
  }

  public Optional<String> hashOf(String name) {
    return Optional.ofNullable(hashByName.get(name));
  }

  /** The file's bytes: sorted by name, two spaces, {@code \n} after every line. */
  public byte[] render() {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(hashByName).forEach((name, hash) -> b.append(hash).append("  ").append(name).append('\n'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
