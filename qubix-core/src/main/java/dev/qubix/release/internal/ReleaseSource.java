package dev.qubix.release.internal;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/** Where a release's files come from: an HTTP(S) folder or a local one. */
public interface ReleaseSource {

  /** Where {@code name} is (its URL or path), for messages. */
  String describe(String name);

  /** A small file (SHA256SUMS, its signature, the manifest) whole, or empty when the release has none. */
  Optional<byte[]> readSmall(String name, int limit);

  /**
   * Appends the rest of {@code name} to {@code partial}, from the partial's current size (a
   * resumed download), feeding every byte written to {@code digest}; when the source starts over, the
   * partial is truncated and the digest reset. Reports progress as bytes of the whole file.
   */
  void fetch(String name, Path partial, MessageDigest digest, Progress progress);

  /** Bytes of the whole file so far, of {@code total} (-1 when unknown). */
  @FunctionalInterface
  interface Progress {
    void bytes(long done, long total);
  }
}
