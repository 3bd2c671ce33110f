package dev.qubix.microvm.internal;

import dev.qubix.QubixException;
import dev.qubix.spi.RdpSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * The secret as {@code <vmDir>/rdp-password}: 0600 from its first byte, no newline, in the 0700 VM
 * folder. Written through a temp file and a rename, so a crash leaves the old or the new secret whole.
 */
final class FileSecretStore implements SecretStore {

  @Override
  public Optional<String> read(VmFiles f) {
    return RdpSecret.readFile(f.secret());
  }

  @Override
  public void write(VmFiles f, String secret) {
    RdpSecret.writeFile(f.secret(), secret);
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
