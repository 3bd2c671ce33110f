package dev.qubix.microvm.internal;

import dev.qubix.QubixException;
import java.util.Optional;

/**
 * Where one VM's RDP secret is kept on Linux: a 0600 file in the VM folder ({@link FileSecretStore}),
 * or the desktop's Secret Service through {@code secret-tool} ({@link SecretServiceStore}).
 * {@link VmSecret} decides which; a store only keeps values. No method puts the secret in an argument,
 * a log line or an exception message.
 */
interface SecretStore {

  /** The VM's secret, or empty when this store holds none. */
  Optional<String> read(VmFiles f);

  /** Stores {@code secret} for the VM, replacing the one it held. */
  void write(VmFiles f, String secret);

  /** Removes the VM's secret; nothing happens when there is none. */
  void delete(VmFiles f);

  /** Where the VM's secret is, for plans and messages (never the value). */
  String describe(VmFiles f);

  /** The store cannot be used right now (no daemon, locked keyring): the caller falls back to the file. */
  final class Unavailable extends QubixException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
