package dev.qubix;

/** What {@code destroy} removes besides the VM. */
public enum Purge {
  /** The home disk stays: the next recreate finds the user's data. */
  KEEP_HOME,
  /** Everything in the VM's folder, the home disk included. */
  EVERYTHING
}
