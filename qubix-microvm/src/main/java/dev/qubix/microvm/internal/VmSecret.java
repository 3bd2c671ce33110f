package dev.qubix.microvm.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import dev.qubix.spi.RdpSecret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The VM's RDP password ({@link RdpSecret}: 192 random bits), made on first create and kept in a
 * 0600 file in the VM folder until {@code destroy --purge} or a rotation. QEMU hands the file itself to the guest over
 * fw_cfg (a systemd credential), so the value is never in an argument, the environment or a log. The
 * URL-safe Base64 alphabet has no ':' (chpasswd's separator), no quote and no whitespace.
 */
public final class VmSecret {
  /** The systemd credential name the guest reads, as a fw_cfg file name (at most 55 bytes). */
  public static final String FW_CFG_NAME = "opt/io.systemd.credentials/qubix.rdp-password";

  private VmSecret() {}

  /** The stored secret, made now if the VM has none yet. */
  public static String ensure(VmFiles f) {
    Optional<String> stored = read(f);
    if (stored.isPresent()) {
      return stored.get();
    }
    return store(f, generate());
  }

  /** A new secret replaces the stored one (atomically: a crash leaves the old or the new one whole). */
  public static void rotate(VmFiles f) {
    store(f, generate());
  }

  public static Optional<String> read(VmFiles f) {
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
    return RdpSecret.generate();
  }

  private static String store(VmFiles f, String secret) {
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
