package dev.qubix.nix.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The manifest cache key: SHA-256 over every file under the flake directory (relative path and the
 * SHA-256 of its content, in sorted order). {@code .git} and {@code result*} links are left out: they
 * change without changing what the flake evaluates to. {@code flake.lock} is a file like any other,
 * so a lock update invalidates the cache too.
 *
 * <p>With a cache folder, each file's content hash is kept under its stat (size, mtime, ctime,
 * inode) and re-read only when that changed: a warm {@code status} then reads no file content at all.
 * An edit, even one that keeps size and mtime, changes ctime; a rename or a new file changes the
 * path list. A file changed in the last two seconds is never taken from the cache (git's "racy"
 * rule: a second edit within the timestamps' resolution would look unchanged).
 */
public final class FlakeHash {
  private static final Duration RACY = Duration.ofSeconds(2);
  private final Optional<Path> cacheDir;
  private long bytesHashed;

  private FlakeHash(Optional<Path> cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** Reads every file. */
  public static String of(Path flakeDir) {
    return new FlakeHash(Optional.empty()).key(flakeDir);
  }

  /** Keeps content hashes under their file's stat in {@code cacheDir}. */
  public static FlakeHash cachedIn(Path cacheDir) {
    return new FlakeHash(Optional.of(cacheDir));
  }

  /** Bytes of file content read by the last {@link #key} call. */
  public long bytesHashed() {
    return bytesHashed;
  }

  public String key(Path flakeDir) {
    bytesHashed = 0;
    try {
      Path statFile = cacheDir.map(d -> d.resolve("flake-stat-" + sha256Hex(
          flakeDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".tsv"))
          .orElse(null);
      Map<String, String[]> known = statFile == null ? Map.of() : readStats(statFile);
      Map<String, String[]> seen = new HashMap<>();
      Instant racy = Instant.now().minus(RACY);
      MessageDigest total = sha256();
      for (Path f : files(flakeDir)) {
        String rel = flakeDir.relativize(f).toString().replace('\\', '/');
        total.update(rel.getBytes(StandardCharsets.UTF_8));
        total.update((byte) 0);
        if (Files.isSymbolicLink(f)) {
          total.update(("link:" + Files.readSymbolicLink(f)).getBytes(StandardCharsets.UTF_8));
        } else {
          String stat = stat(f);
          String[] entry = known.get(rel);
          String content = entry != null && entry[0].equals(stat) ? entry[1] : contentHash(f);
          if (!lastModified(f).toInstant().isAfter(racy)) {
            seen.put(rel, new String[] {stat, content});
          }
          total.update(content.getBytes(StandardCharsets.US_ASCII));
        }
        total.update((byte) 0);
      }
      if (statFile != null && !sameEntries(known, seen)) {
        writeStats(statFile, seen);
      }
      return HexFormat.of().formatHex(total.digest());
    } catch (IOException e) {
      throw new QubixException("cannot read the flake directory " + flakeDir + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> files(Path flakeDir) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(flakeDir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return !dir.equals(flakeDir) && excluded(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (!excluded(file) && (attrs.isRegularFile() || attrs.isSymbolicLink())) {
          files.add(file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort((a, b) -> flakeDir.relativize(a).toString().replace('\\', '/')
        .compareTo(flakeDir.relativize(b).toString().replace('\\', '/')));
    return files;
  }

  /** size, mtime and, where the file system has them (Linux), ctime and inode: all in nanoseconds. */
  private static String stat(Path f) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
      return a.get("size") + ":" + nanos((FileTime) a.get("lastModifiedTime")) + ":" + nanos((FileTime) a.get("ctime"))
          + ":" + a.get("ino");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      BasicFileAttributes b = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return b.size() + ":" + nanos(b.lastModifiedTime()) + ":" + nanos(b.creationTime()) + ":" + b.fileKey();
    }
  }

  private static FileTime lastModified(Path f) throws IOException {
    return Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
  }

  private static long nanos(FileTime t) {
    Instant i = t.toInstant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private String contentHash(Path f) throws IOException {
    MessageDigest d = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        d.update(buffer, 0, n);
        bytesHashed += n;
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** One line per file: stat, TAB, content hash, TAB, relative path (which may hold anything but a newline). */
  private static Map<String, String[]> readStats(Path statFile) {
    Map<String, String[]> stats = new HashMap<>();
    try {
      for (String line : Files.readAllLines(statFile, StandardCharsets.UTF_8)) {
        String[] p = line.split("\t", 3);
        if (p.length == 3) {
          stats.put(p[2], new String[] {p[0], p[1]});
        }
      }
    } catch (IOException e) {
      // no cache, or an unreadable one: every file is read, and the cache is written again
    }
    return stats;
  }

  private static boolean sameEntries(Map<String, String[]> a, Map<String, String[]> b) {
    return a.size() == b.size() && b.entrySet().stream().allMatch(e -> a.containsKey(e.getKey())
        && java.util.Arrays.equals(a.get(e.getKey()), e.getValue()));
  }

  private static void writeStats(Path statFile, Map<String, String[]> stats) throws IOException {
    StringBuilder sb = new StringBuilder();
    stats.forEach((rel, e) -> {
      if (rel.indexOf('\n') < 0) {
        sb.append(e[0]).append('\t').append(e[1]).append('\t').append(rel).append('\n');
      }
    });
    PrivateFiles.directory(statFile.getParent());
    Path tmp = Files.createTempFile(statFile.getParent(), statFile.getFileName().toString(), ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    Files.move(tmp, statFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean excluded(Path p) {
    String name = p.getFileName().toString();
    return name.equals(".git") || name.startsWith("result");
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
