package dev.qubix.nspawn.internal;

import dev.qubix.ConfigurationException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads a tar archive's headers (ustar, GNU long names, pax) and refuses, before anything is
 * unpacked, what could write outside the new home: an absolute name, a {@code ..}, a link to an
 * absolute path or out of the archive, a device node. Java reads the headers itself, so the check
 * does not depend on how one tar version prints its listing.
 */
final class HomeArchive {
  private static final int BLOCK = 512;

  private HomeArchive() {}

  /** Checks every entry of {@code file}; the first bad one is refused with its name. */
  static void check(Path file) {
    boolean gzip = HomeFolders.gzipped(file);
    if (!Files.isRegularFile(file)) {
      throw new ConfigurationException("the file " + file + " does not exist or is not a file");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
      read(file, in);
    } catch (IOException e) {
      throw bad(file, "it cannot be read as a " + (gzip ? "gzip-compressed " : "") + "tar archive (" + e.getMessage() + ")");
    }
  }

  private static void read(Path file, InputStream in) throws IOException {
    String longName = null;
    String longLink = null;
    int entries = 0;
    while (true) {
      byte[] h = in.readNBytes(BLOCK);
      if (h.length < BLOCK) {
        throw bad(file, "it ends inside a header (a truncated tar archive)");
      }
      if (allZero(h)) {
        if (entries == 0) {
          throw bad(file, "it has no entries");
        }
        return;
      }
      if (!checksumOk(h)) {
        throw bad(file, "a header's checksum is wrong (not a tar archive, or a damaged one)");
      }
      char type = (char) (h[156] == 0 ? '0' : h[156]);
      long size = number(h, 124, 12);
      if (type == 'L' || type == 'K' || type == 'x') {
        String data = new String(body(in, size, file), StandardCharsets.UTF_8);
        if (type == 'L') {
          longName = cString(data);
        } else if (type == 'K') {
          longLink = cString(data);
        } else {
          longName = pax(data, "path").orElse(longName);
          longLink = pax(data, "linkpath").orElse(longLink);
        }
        continue;
      }
      String name = longName != null ? longName : fullName(h);
      String link = longLink != null ? longLink : text(h, 157, 100);
      longName = null;
      longLink = null;
      if (type != 'g') {
        entries++;
        checkEntry(file, type, name, link);
      }
      skip(in, size, file);
    }
  }

  private static void checkEntry(Path file, char type, String name, String link) {
    if (name.isEmpty() || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
      throw bad(file, "the entry '" + name + "' is absolute or leaves the folder (..): an archive of a home has names "
          + "relative to it");
    }
    switch (type) {
      case '2' -> {
        Path parent = Path.of(name).getParent();
        String target = parent == null ? link : parent.resolve(link).toString();
        if (link.startsWith("/") || escapes(target)) {
          throw bad(file, "the link '" + name + "' points to '" + link + "', outside the home: only links inside it are "
              + "imported");
        }
      }
      case '1' -> {
        if (link.startsWith("/") || escapes(link)) {
          throw bad(file, "the hard link '" + name + "' names '" + link + "', outside the archive");
        }
      }
      case '3', '4' -> throw bad(file, "the entry '" + name + "' is a device node, which a home never holds");
      default -> { }
    }
  }

  /** Whether a relative name climbs above its start, with {@code .} and {@code ..} taken as the kernel takes them. */
  static boolean escapes(String relative) {
    int depth = 0;
    for (String part : relative.split("/")) {
      if (part.equals("..")) {
        if (--depth < 0) {
          return true;
        }
      } else if (!part.isEmpty() && !part.equals(".")) {
        depth++;
      }
    }
    return false;
  }

  private static ConfigurationException bad(Path file, String why) {
    return new ConfigurationException("the archive " + file + " is refused: " + why + "; nothing was changed");
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean checksumOk(byte[] h) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    try {
      return number(h, 148, 8) == sum;
    } catch (IOException e) {
      return false;
    }
  }

  /** An octal field, or GNU's base-256 one (high bit set) for big sizes. */
  private static long number(byte[] h, int off, int len) throws IOException {
    if ((h[off] & 0x80) != 0) {
      long v = h[off] & 0x7f;
      for (int i = off + 1; i < off + len; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v;
    }
    String s = text(h, off, len).trim();
    if (s.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(s, 8);
    } catch (NumberFormatException e) {
      throw new IOException("a number field is not octal: '" + s + "'");
    }
  }

  private static String fullName(byte[] h) {
    String name = text(h, 0, 100);
    boolean ustar = text(h, 257, 5).equals("ustar");
    String prefix = ustar ? text(h, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String text(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(String s) {
    int nul = s.indexOf('\0');
    return nul < 0 ? s : s.substring(0, nul);
  }

  /** A pax record's value: records are {@code "<len> key=value\n"}. */
  private static Optional<String> pax(String data, String key) {
    for (String line : data.split("\n")) {
      int sp = line.indexOf(' ');
      int eq = line.indexOf('=');
      if (sp > 0 && eq > sp && line.substring(sp + 1, eq).equals(key)) {
        return Optional.of(line.substring(eq + 1));
      }
    }
    return Optional.empty();
  }

  private static byte[] body(InputStream in, long size, Path file) throws IOException {
    if (size > 1 << 20) {
      throw bad(file, "an extended header is larger than 1 MiB");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw bad(file, "it ends inside an entry (a truncated tar archive)");
    }
    in.skipNBytes(padding(size));
    return data;
  }

  private static void skip(InputStream in, long size, Path file) throws IOException {
    long left = size + padding(size);
    while (left > 0) {
      long n = in.skip(left);
      if (n <= 0) {
        if (in.read() < 0) {
          throw bad(file, "it ends inside an entry (a truncated tar archive)");
        }
        n = 1;
      }
      left -= n;
    }
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }
}
