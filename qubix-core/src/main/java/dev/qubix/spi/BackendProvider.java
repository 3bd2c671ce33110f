package dev.qubix.spi;

/** A hypervisor backend, found through {@link java.util.ServiceLoader} or registered explicitly. */
public interface BackendProvider {

  /** Short, stable name: "hyperv", "microvm", "nspawn". */
  String name();

  /** Higher wins when Qubix picks a backend by itself. */
  int priority();

  /** Cheap check (OS, binaries, privileges) that never changes anything; says why not. */
  Availability probe(HostInfo host);

  /** Opens the backend. Must not change anything either: {@code plan} works on unavailable backends. */
  Backend open(BackendContext context);
}
