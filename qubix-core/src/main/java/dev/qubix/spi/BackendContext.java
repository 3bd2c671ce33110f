package dev.qubix.spi;

import dev.qubix.event.ProgressListener;
import dev.qubix.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a backend gets from Qubix; core implements it, and it grows without breaking backends.
 * {@code managementHost} is where the hypervisor runs: "localhost" today; a remote Hyper-V host or
 * libvirt URI fits here later.
 */
public interface BackendContext {
  String LOCAL = "localhost";

  Path stateDir();

  CommandRunner runner();

  ProgressListener listener();

  Clock clock();

  HostInfo host();

  /** Upper bound for each external process. */
  Duration timeout();

  default String managementHost() {
    return LOCAL;
  }

  default boolean isLocal() {
    return LOCAL.equals(managementHost());
  }

  /** The VM's own folder, {@code <stateDir>/<vmName>}; not created. */
  default Path vmDir(String vmName) {
    return stateDir().resolve(vmName);
  }

  /** Creates the state folder and the VM's folder private to this user (0700), tightening wider ones. */
  Path privateVmDir(String vmName);

  /** The host ports this VM keeps across recreates ({@code ports.json} in its folder). */
  default HostPorts ports(String vmName) {
    return new HostPorts(vmDir(vmName).resolve("ports.json"));
  }

  /**
   * The one readiness wait: polls {@code condition} until it yields a value, reporting Waiting
   * events; empty when {@code limit} passed first.
   */
  <T> Optional<T> await(String what, Duration limit, Duration every, Supplier<Optional<T>> condition);

  /** Core's context for these values: for backends' own tests and tools. */
  static BackendContext of(Path stateDir, CommandRunner runner, ProgressListener listener, HostInfo host, Duration timeout) {
    return new dev.qubix.internal.CoreBackendContext(stateDir, runner, listener, Clock.systemUTC(), host, timeout);
  }

  /** True when {@code done} became true within {@code limit} (polled every 100 ms). */
  default boolean await(String what, Duration limit, BooleanSupplier done) {
    return await(what, limit, Duration.ofMillis(100), () -> done.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty())
        .isPresent();
  }
}
