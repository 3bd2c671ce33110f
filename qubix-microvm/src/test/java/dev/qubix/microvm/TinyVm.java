package dev.qubix.microvm;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers around the tiny guest: its appliance handle, serial markers, QEMU processes. */
final class TinyVm {
  private static final Pattern COUNT = Pattern.compile("(?m)^QUBIX-BOOT-COUNT=(\\d+)\\s*$");

  private TinyVm() {}

  static Appliance appliance(String machine, Path flake, Path state) {
    return Qubix.appliance(machine).withFlake(flake).withBackend("microvm").withStateDir(state);
  }

  /** Every boot counter the guest printed, oldest first (serial.log is appended across boots). */
  static List<Integer> bootCounts(Path state, String vm) throws IOException {
    Path log = state.resolve(vm).resolve("serial.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    Matcher m = COUNT.matcher(new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1));
    return m.results().map(r -> Integer.parseInt(r.group(1))).toList();
  }

  static int lastBootCount(Path state, String vm) throws IOException {
    List<Integer> all = bootCounts(state, vm);
    return all.isEmpty() ? 0 : all.get(all.size() - 1);
  }

  /** QEMU processes whose command line mentions {@code dir}: must be none after a test. */
  static List<ProcessHandle> qemuUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(dir.toString())).orElse(false))
        .toList();
  }
}
