package dev.qubix.junit.support;

import dev.qubix.test.TinyGuest;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes the tiny guest's flake once per JVM. Registered before {@link dev.qubix.junit.QubixExtension}
 * (or {@code @Testcontainers}), its {@code beforeAll} runs first, so the appliance the test declares
 * with a plain path finds the flake. Skips locally, fails under CI, when nix or qemu is missing.
 */
public final class TinyFlake implements BeforeAllCallback {
  /** Relative to the module directory, so annotation attributes (constants) can name it. */
  public static final String DIR = "target/tiny-flake";
  private static boolean made;

  @Override
  public void beforeAll(ExtensionContext context) {
    make();
  }

  public static synchronized Path make() {
    Path dir = Path.of(DIR).toAbsolutePath();
    if (!made) {
      TinyGuest.flake(dir);
      made = true;
    }
    return dir;
  }
}
