package dev.qubix.manifest;

/** Whether the guest may connect anywhere or only to an allowlist of domains (nix/profiles/network/egress.nix). */
public enum EgressMode {
  OPEN,
  ALLOWLIST
}
