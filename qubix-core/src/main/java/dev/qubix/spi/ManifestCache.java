package dev.qubix.spi;

import dev.qubix.QubixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Manifest documents cached by a key the builder computes (qubix-nix: a hash of the flake's files).
 * One entry per source (flake directory): a new key replaces the old entry. While the key is
 * unchanged, status/start/stop/connect/destroy need no Nix at all.
 */
public final class ManifestCache {
  private final Path stateDir;
  private final Path dir;

  public ManifestCache(Path stateDir) {
    this.stateDir = stateDir;
    this.dir = stateDir.resolve("cache").resolve("manifests");
  }

  /** The cached document for {@code source} if it was stored under {@code key}. */
  public Optional<String> get(String source, String key) {
    Path keyFile = file(source, ".key");
    Path json = file(source, ".json");
    try {
      if (Files.isRegularFile(keyFile) && Files.isRegularFile(json)
          && Files.readString(keyFile, StandardCharsets.UTF_8).equals(key)) {
        return Optional.of(Files.readString(json, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // an unreadable cache entry is a cache miss
    }
    return Optional.empty();
  }

  /** Stores a document; the key is written last so a torn write reads as a miss. */
  public void put(String source, String key, String json) {
    try {
      PrivateFiles.directories(stateDir, dir);
      Files.deleteIfExists(file(source, ".key"));
      atomicWrite(file(source, ".json"), json);
      atomicWrite(file(source, ".key"), key);
    } catch (IOException e) {
      throw new QubixException("cannot write the manifest cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  public void invalidate(String source) {
    try {
      Files.deleteIfExists(file(source, ".key"));
    } catch (IOException e) {
      // nothing cached is a fine outcome
    }
  }

  private Path file(String source, String suffix) {
    return dir.resolve(sha256(source).substring(0, 24) + suffix);
  }

  private static void atomicWrite(Path target, String content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
