package dev.qubix.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: the expected text of a plan (or any rendering) kept under the module's test
 * resources as the specification. After an intended change, regenerate them with
 * {@code -Dqubix.golden.update=true} and review the diff like any other change.
 */
public final class Golden {
  private Golden() {}

  /** {@code actual} equals {@code dir/name.txt}; with {@code qubix.golden.update} set, the file is written first. */
  public static void assertMatches(Path dir, String name, String actual) {
    Path file = dir.resolve(name + ".txt");
    try {
      if (Boolean.getBoolean("qubix.golden.update")) {
        Files.createDirectories(dir);
        Files.writeString(file, actual, StandardCharsets.UTF_8);
      }
      assertTrue(Files.exists(file), "golden file " + file + " (create it with -Dqubix.golden.update=true)");
      assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "the golden file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
