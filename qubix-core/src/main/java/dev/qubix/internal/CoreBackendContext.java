package dev.qubix.internal;

import dev.qubix.QubixException;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Core's {@link BackendContext}: the values an appliance was configured with, and core's services. */
public record CoreBackendContext(Path stateDir, CommandRunner runner, ProgressListener listener, Clock clock,
    HostInfo host, Duration timeout) implements BackendContext {

  @Override
  public Path privateVmDir(String vmName) {
    Path dir = vmDir(vmName);
    try {
      PrivateFiles.directories(stateDir, dir);
      return dir;
    } catch (IOException e) {
      throw new QubixException("cannot make the VM folder " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public <T> Optional<T> await(String what, Duration limit, Duration every, Supplier<Optional<T>> condition) {
    return new Await(listener).until(what, limit, every, condition);
  }
}
