package dev.qubix.microvm;

import dev.qubix.ConnectOptions;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a user's first {@code up} does, in a JVM of its own so the test can give it the umask a new
 * user has (022): build, recreate, wait for RDP. The VM keeps running after this JVM exits.
 */
public final class PrivateStateMain {
  private PrivateStateMain() {}

  public static void main(String[] args) {
    TinyGuest.appliance("tiny", Path.of(args[0]), Path.of(args[1])).build().recreate()
        .connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofMinutes(2)));
  }
}
