package dev.qubix.release.internal;

import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.release.ChecksumMismatchException;
import dev.qubix.release.CorruptImageException;
import dev.qubix.release.DownloadException;
import dev.qubix.spi.PrivateFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Verified release files, keyed by the SHA-256 that {@code SHA256SUMS} lists for them:
 * {@code <stateDir>/cache/releases/<sha256>/<name without .gz>}. A file enters only after its bytes
 * were hashed twice: while they streamed in (into {@code <name>.partial}, kept to resume an
 * interrupted download) and again as stored, while they are decompressed into a temporary file that
 * is renamed into place only when that second hash matches. So whatever the cache holds was
 * verified, and a second VM or a recreate of the same release downloads nothing.
 */
public final class ReleaseCache {
  private final Path stateDir;
  private final Path root;
  private final ProgressListener listener;

  public ReleaseCache(Path stateDir, ProgressListener listener) {
    this.stateDir = stateDir;
    this.root = root(stateDir);
    this.listener = listener;
  }

  public static Path root(Path stateDir) {
    return stateDir.resolve("cache").resolve("releases");
  }

  /** The folder of one cached file (what an {@link dev.qubix.spi.Image}'s store path names). */
  public Path entry(String sha256) {
    return root.resolve(sha256);
  }

  /** The cached, verified, decompressed file for {@code name}, fetched from {@code source} if absent. */
  public Path ensure(ReleaseSource source, String name, String sha256) {
    Path entry = entry(sha256);
    Path image = entry.resolve(FileNames.unpacked(name));
    try {
      PrivateFiles.directories(stateDir, entry);
      // two JVMs fetching the same release must not append to one partial file together
      try (FileChannel lockFile = PrivateFiles.open(entry.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (Files.isRegularFile(image)) {
          log(name + ": verified copy cached in " + entry + ", nothing to download");
          return image;
        }
        Path partial = entry.resolve(name + ".partial");
        boolean resumed = Files.exists(partial);
        String got = download(source, name, partial, sha256);
        if (!got.equals(sha256) && resumed) {
          // what was kept from last time belongs to another version of the file: start from nothing
          Files.deleteIfExists(partial);
          got = download(source, name, partial, sha256);
        }
        if (!got.equals(sha256)) {
          Files.deleteIfExists(partial);
          throw mismatch(name, sha256, got, source.describe(name), "as downloaded");
        }
        commit(name, sha256, partial, image, source);
        return image;
      }
    } catch (IOException e) {
      if (DiskSpace.isFull(e)) {
        throw DiskSpace.full(entry, e);
      }
      throw new DownloadException("cannot use the release cache " + entry + ": " + e.getMessage(), e);
    }
  }

  /** Fetches what the partial lacks; the hash covers the kept bytes and the new ones. */
  private String download(ReleaseSource source, String name, Path partial, String expected) throws IOException {
    MessageDigest d = sha256();
    if (Files.exists(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(partial);   // not ours (a link, a device): never read or append to it
    }
    if (Files.exists(partial)) {
      try (InputStream in = Files.newInputStream(partial)) {
        update(d, in);
      }
      if (hex((MessageDigest) clone(d)).equals(expected)) {
        return expected;   // complete and verified last time; only unpacking it failed (e.g. a full disk)
      }
      log(name + ": resuming after " + Files.size(partial) + " bytes");
    }
    source.fetch(name, partial, d, (done, total) -> listener.onEvent(new ProgressEvent.BytesCopied(name, done, total)));
    return hex(d);
  }

  /** Hashes the stored bytes again while producing the image, and moves it into place only if they match. */
  private void commit(String name, String sha256, Path partial, Path image, ReleaseSource source) throws IOException {
    Path tmp = image.resolveSibling(image.getFileName() + ".tmp");
    try {
      MessageDigest again = sha256();
      if (name.endsWith(".gz")) {
        try (InputStream raw = Files.newInputStream(partial);
            DigestInputStream hashed = new DigestInputStream(raw, again);
            GZIPInputStream gz = new GZIPInputStream(hashed, 1 << 16);
            FileChannel out = PrivateFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
          copy(gz, out, tmp);
          update(again, hashed);   // bytes after the last gzip member still belong to the checked file
        } catch (ZipException | EOFException e) {
          Files.deleteIfExists(tmp);
          Files.deleteIfExists(partial);
          throw new CorruptImageException(name + " from " + source.describe(name) + " is not a complete gzip file ("
              + e.getMessage() + "), although it matches SHA256SUMS: the release was made broken; ask its publisher "
              + "for a fixed one", e);
        }
      } else {
        try (InputStream in = Files.newInputStream(partial)) {
          update(again, in);
        }
      }
      String got = hex(again);
      if (!got.equals(sha256)) {
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(partial);
        throw mismatch(name, sha256, got, partial.toString(), "on disk after the download (it changed while stored)");
      }
      Path done = name.endsWith(".gz") ? tmp : partial;
      move(done, image);
      Files.deleteIfExists(partial);
      if (image.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // a base image: VMs read it through overlays, nothing may write it
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("r--------"));
      }
      log(name + ": verified (sha256 " + sha256 + ") and cached as " + image);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      if (DiskSpace.isFull(e)) {
        throw DiskSpace.full(tmp, e);
      }
      throw e;
    }
  }

  private static void copy(InputStream in, FileChannel out, Path file) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
      while (b.hasRemaining()) {
        out.write(b);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static ChecksumMismatchException mismatch(String name, String expected, String actual, String where, String when) {
    return new ChecksumMismatchException("checksum mismatch for " + name + " (" + where + ", " + when + "): SHA256SUMS "
        + "lists " + expected + ", the file has " + actual + "; the file was not used. A retry downloads it again; "
        + "if it keeps failing, the release is damaged or was tampered with");
  }

  private void log(String line) {
    listener.onEvent(new ProgressEvent.Log(ProgressEvent.Log.Level.INFO, "release", line));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object clone(MessageDigest d) {
    try {
      return d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  static void update(MessageDigest d, InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      d.update(buf, 0, n);
    }
  }

  public static String hex(MessageDigest d) {
    return HexFormat.of().formatHex(d.digest());
  }

  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }
}
