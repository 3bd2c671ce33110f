package dev.qubix.microvm.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The secret as {@code <vmDir>/rdp-password}: 0600 from its first byte, no newline, in the 0700 VM
 * folder. Written through a temp file and a rename, so a crash leaves the old or the new secret whole.
 */
final class FileSecretStore implements SecretStore {

  @Override
  public Optional<String> read(VmFiles f) {
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

  @Override
  public void write(VmFiles f, String secret) {
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
    } catch (IOException e) {
      throw new QubixException("cannot store the RDP secret in " + f.secret() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(VmFiles f) {
    try {
      Files.deleteIfExists(f.secret());
    } catch (IOException e) {
      throw new QubixException("cannot delete the RDP secret " + f.secret() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe(VmFiles f) {
    return f.secret() + " (0600)";
  }
}
