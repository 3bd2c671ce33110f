package dev.qubix;

import dev.qubix.internal.BackendRegistry;
import dev.qubix.manifest.internal.Names;
import dev.qubix.spi.HostInfo;
import java.util.List;

/** The door: {@code Qubix.appliance("spotibox").build().recreate().connect();} */
public final class Qubix {
  private Qubix() {}

  /** A handle on a declared machine; nothing runs yet. The name is checked now, before anything else. */
  public static Appliance appliance(String machine) {
    if (!Names.isValid(machine)) {
      throw new ConfigurationException("machine name '" + Names.printable(String.valueOf(machine))
          + "' is not allowed: " + Names.RULE);
    }
    return Appliance.of(machine, HostInfo.current());
  }

  /** Every backend on the class path, best first, with what its probe says on this machine. */
  public static List<BackendInfo> backends() {
    HostInfo host = HostInfo.current();
    return BackendRegistry.providers().stream()
        .map(p -> new BackendInfo(p.name(), p.priority(), p.probe(host)))
        .toList();
  }
}
