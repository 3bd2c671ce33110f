package dev.qubix;

/** What a {@link Plan} is for. */
public enum Operation {
  /** Fresh system disk from the current image, home disk kept, started. */
  RECREATE,
  /** Create if missing, start if stopped; never rebuilds a live VM. */
  UP,
  START,
  STOP,
  /** Remove the VM, keep the home disk. */
  DESTROY,
  /** Remove the VM and its home disk. */
  PURGE
}
