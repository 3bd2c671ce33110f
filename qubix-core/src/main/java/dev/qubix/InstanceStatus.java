package dev.qubix;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a backend knows about a VM right now. */
public record InstanceStatus(String vmName, String backend, State state, List<String> addresses,
    Optional<Duration> uptime, Map<String, String> details) {

  /** VM states, the same words for every backend. */
  public enum State { RUNNING, STARTING, STOPPING, STOPPED, PAUSED, SAVED, UNKNOWN }

  public InstanceStatus {
    addresses = List.copyOf(addresses);
    details = Map.copyOf(details);
  }

  public boolean isRunning() {
    return state == State.RUNNING;
  }
}
