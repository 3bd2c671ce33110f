package dev.qubix.spi;

import dev.qubix.QubixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A VM's own RDP password, as every backend makes it: 192 random bits from {@link SecureRandom}
 * in URL-safe Base64 without padding (32 characters). That alphabet has no ':' (chpasswd's
 * separator), no quote, no whitespace and no character XML, JSON or a shell would escape, so the
 * value passes unchanged through a fw_cfg file, a Hyper-V KVP item and {@code chpasswd}.
 */
public final class RdpSecret {
  /** What a stored secret must look like; anything else is refused rather than handed on. */
  public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22,128}");
  private static final int BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RdpSecret() {}

  public static String generate() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static boolean wellFormed(String secret) {
    return secret != null && FORMAT.matcher(secret).matches();
  }

  /** The secret kept in {@code file}; empty when there is none. An error names the file, never its content. */
  public static Optional<String> readFile(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      throw new QubixException("cannot read the RDP secret " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Keeps {@code secret} in {@code file}: 0600 from its first byte, no newline, in its private folder,
   * written through a temp file and a rename, so a crash leaves the old or the new secret whole.
   */
  public static void writeFile(Path file, String secret) {
    Path dir = file.getParent();
    try {
      PrivateFiles.directory(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");   // 0600 on POSIX
      try {
        PrivateFiles.writeString(tmp, secret);
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new QubixException("cannot store the RDP secret in " + file + ": " + e.getMessage(), e);
    }
  }
}
