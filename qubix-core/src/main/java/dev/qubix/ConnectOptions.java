package dev.qubix;

import java.time.Duration;
import java.util.Optional;

/**
 * How {@link Instance#connect(ConnectOptions)} connects: an explicit address overrides the
 * backend's resolution; {@code launchClient=false} only waits until RDP answers.
 */
public record ConnectOptions(Optional<String> address, boolean launchClient, Duration timeout) {

  public static ConnectOptions defaults() {
    return new ConnectOptions(Optional.empty(), true, Duration.ofMinutes(3));
  }

  public ConnectOptions withAddress(String a) {
    return new ConnectOptions(Optional.ofNullable(a), launchClient, timeout);
  }

  public ConnectOptions withoutClient() {
    return new ConnectOptions(address, false, timeout);
  }

  public ConnectOptions withTimeout(Duration t) {
    return new ConnectOptions(address, launchClient, t);
  }
}
