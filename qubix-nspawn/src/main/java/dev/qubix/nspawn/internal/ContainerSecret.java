package dev.qubix.nspawn.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The container's RDP password: 192 random bits, made on first create and kept in a 0600 file in its
 * folder until {@code destroy --purge} or a rotation. systemd-nspawn hands the file to the container
 * as the credential {@code qubix.rdp-password} ({@code --load-credential}: only its path is on the
 * command line), which the guest reads from {@code $CREDENTIALS_DIRECTORY}, the way microvm's guest
 * reads its fw_cfg credential. URL-safe Base64: no ':' (chpasswd's separator), quote or whitespace.
 */
final class ContainerSecret {
  private static final int BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ContainerSecret() {}

  static String ensure(ContainerFiles f) {
    Optional<String> stored = read(f);
    return stored.isPresent() ? stored.get() : store(f, generate());
  }

  static void rotate(ContainerFiles f) {
    store(f, generate());
  }

  static Optional<String> read(ContainerFiles f) {
    try {
      if (!Files.isRegularFile(f.secret())) {
        return Optional.empty();
      }
      String s = Files.readString(f.secret(), StandardCharsets.US_ASCII).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      // the message names the file, never its content
      throw new QubixException("cannot read the RDP secret " + f.secret() + ": " + e.getMessage(), e);
    }
  }

  static String generate() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Atomically: a crash leaves the old or the new secret whole. */
  private static String store(ContainerFiles f, String secret) {
    try {
      PrivateFiles.directory(f.dir());
      Path tmp = Files.createTempFile(f.dir(), "rdp-password", ".tmp");   // 0600 on POSIX
      try {
        PrivateFiles.writeString(tmp, secret);
        try {
          Files.move(tmp, f.secret(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, f.secret(), StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      return secret;
    } catch (IOException e) {
      throw new QubixException("cannot store the RDP secret in " + f.secret() + ": " + e.getMessage(), e);
    }
  }
}
