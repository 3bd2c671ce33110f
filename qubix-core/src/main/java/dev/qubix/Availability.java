package dev.qubix;

/** What a backend's probe found on this machine: a value, shown by {@link Qubix#backends()}. */
public sealed interface Availability permits Availability.Available, Availability.Unavailable {

  boolean isAvailable();

  /** Usable; {@code detail} says with what (e.g. "qemu 7.2, TCG"). */
  record Available(String detail) implements Availability {
    @Override
    public boolean isAvailable() {
      return true;
    }
  }

  /** Not usable: {@code reason} says why, {@code fix} how to change that. */
  record Unavailable(String reason, String fix) implements Availability {
    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public String toString() {
      return reason + (fix == null || fix.isBlank() ? "" : " — " + fix);
    }
  }

  static Availability available(String detail) {
    return new Available(detail);
  }

  static Availability unavailable(String reason, String fix) {
    return new Unavailable(reason, fix);
  }
}
