package dev.qubix.spi;

import dev.qubix.event.ProgressListener;
import dev.qubix.exec.CommandRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What a backend gets from Qubix. {@code managementHost} is where the hypervisor runs: "localhost"
 * today; a remote Hyper-V host (PowerShell remoting / CIM) or libvirt URI fits here later.
 */
public record BackendContext(
    Path stateDir,
    CommandRunner runner,
    ProgressListener listener,
    Clock clock,
    HostInfo host,
    Duration timeout,
    String managementHost) {

  public static final String LOCAL = "localhost";

  public boolean isLocal() {
    return LOCAL.equals(managementHost);
  }
}
