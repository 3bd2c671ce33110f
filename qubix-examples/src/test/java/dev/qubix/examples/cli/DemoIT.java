package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline demo, README's main job on Linux, runs green: up → status → recreate → connect → destroy. */
class DemoIT {
  @TempDir Path work;

  @Test
  void offlineDemoRunsTheTinyGuestThroughQubixctl() throws Exception {
    Requires.tool("qemu-system-x86_64");
    Requires.tool("nix");
    Path root = Requires.repoRoot();
    Path log = work.resolve("demo.log");

    Process p = new ProcessBuilder(List.of("bash", root.resolve("qubix-examples/demo/run-demo.sh").toString(),
        work.resolve("demo").toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) {
      p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String output = Files.readString(log);

    assertThat(done).as(output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("demo OK: boot counter");
  }
}
