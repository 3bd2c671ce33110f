package dev.qubix;

import java.util.Locale;

/**
 * How a VM uses its home disk. PERSISTENT writes the home disk; DISPOSABLE runs on a throwaway
 * overlay over it (the home is opened read-only and never written), discarded at stop and destroy.
 * Switching modes needs a recreate.
 */
public enum HomeMode {
  PERSISTENT,
  DISPOSABLE;

  /** The status detail that names a VM's mode: {@code home=disposable} or {@code home=persistent}. */
  public static final String DETAIL = "home";

  /** The word in status details and on the command line. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode a status reports; PERSISTENT for a backend that reports none (it has no other). */
  public static HomeMode of(InstanceStatus status) {
    return DISPOSABLE.word().equals(status.details().get(DETAIL)) ? DISPOSABLE : PERSISTENT;
  }
}
