package dev.qubix.hyperv.internal;

import java.util.List;
import java.util.Optional;

/**
 * Where the Hyper-V backend keeps a VM's RDP secret: generic credentials by target name, as
 * Windows Credential Manager holds them ({@code wincred.WindowsCredentialStore}). Small on purpose,
 * so the logic above it ({@link HyperVSecrets}) runs on Linux against a fake.
 */
public interface CredentialStore {

  /** A stored credential as a listing shows it: never its secret. */
  record Entry(String target, String comment) {}

  /** The secret stored under {@code target}, or empty when there is none. */
  Optional<String> read(String target);

  /** Creates or replaces the credential {@code target}. */
  void write(String target, String user, String secret, String comment);

  /** Removes {@code target}; nothing happens when it does not exist. */
  void delete(String target);

  /** Every credential whose target starts with {@code prefix} (case-insensitive, as Windows compares). */
  List<Entry> list(String prefix);

  /**
   * Whether mstsc reads this store: then a {@code TERMSRV/<address>} credential lets it log in
   * with no prompt. Windows Credential Manager does; the WSL fallback file store does not.
   */
  boolean servesMstsc();

  /** Where the secrets are, for messages and README-style explanations. */
  String describe();
}
