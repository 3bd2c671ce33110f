package dev.qubix.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** The tiny guest's serial markers (testing/tiny-guest/README.md), matched as whole lines. */
final class SerialLog {
  private static final Pattern BOOT_COUNT = Pattern.compile("(?m)^QUBIX-BOOT-COUNT=(\\d+)\\s*$");

  private SerialLog() {}

  /** The boot counters in {@code log}, oldest first; none when the log does not exist. */
  static List<Integer> bootCounts(Path log) throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    // kernel lines may hold any byte: Latin-1 reads every one of them
    return BOOT_COUNT.matcher(Files.readString(log, StandardCharsets.ISO_8859_1)).results()
        .map(r -> Integer.parseInt(r.group(1))).toList();
  }
}
