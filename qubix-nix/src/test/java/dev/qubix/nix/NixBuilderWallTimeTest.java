package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.test.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wall time of a cold and a warm {@code build()} and of the manifest lookup behind {@code status}
 * with a valid cache, on the test flake (manifest, a VHDX folder, a direct-boot folder, a home
 * image). Prints medians of five runs and writes them to target/nix-builder-wall-time.txt; asserts
 * only the process counts. Reproduce: {@code mvn -B -o -pl qubix-nix test -Dtest=NixBuilderWallTimeTest}
 * (after {@code mvn -B -o install -pl qubix-core -DskipTests}).
 */
class NixBuilderWallTimeTest {
  @TempDir Path tmp;

  @Test
  void coldWarmAndStatus() throws Exception {
    Path realNix = Requires.tool("nix");
    NixBuilder builder = new NixBuilder();
    List<Double> cold = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Double> status = new ArrayList<>();
    try {
      for (int run = 0; run < 5; run++) {
        Path dir = tmp.resolve("run" + run);
        Path flake = TestFlake.write(dir.resolve("flake"), "");   // a fresh nonce: new derivations
        Path calls = dir.resolve("calls.log");
        System.setProperty("qubix.nix", TestFlake.countingNix(dir, realNix, calls).toString());
        BuildContext ctx = new BuildContext(flake, dir.resolve("state"), new ProcessCommandRunner(e -> { }), e -> { },
            Duration.ofMinutes(5), HostInfo.current(), List.of());
        Set<String> keys = Set.of("hyperv", "microvm", "home");

        long t0 = System.nanoTime();
        builder.build(ctx, ManifestReader.read(builder.manifestJson(ctx), "box"), keys);
        cold.add(ms(t0));
        assertThat(Files.readAllLines(calls)).hasSize(2);

        long t1 = System.nanoTime();
        MachineManifest m = ManifestReader.read(builder.manifestJson(ctx), "box");
        status.add(ms(t1));
        assertThat(Files.readAllLines(calls)).hasSize(2);

        long t2 = System.nanoTime();
        builder.build(ctx, ManifestReader.read(builder.manifestJson(ctx), "box"), keys);
        warm.add(ms(t2));
        assertThat(Files.readAllLines(calls)).hasSize(3);
        assertThat(m.hostName()).isEqualTo("box");
      }
    } finally {
      System.clearProperty("qubix.nix");
    }
    String report = String.format("NixBuilder wall time, median of 5 (test flake: manifest + vhdx + direct + home):%n"
        + "  cold build()  %7.1f ms  (2 nix processes; runs %s)%n"
        + "  warm build()  %7.1f ms  (1 nix process;   runs %s)%n"
        + "  status lookup %7.1f ms  (0 nix processes; runs %s)%n",
        median(cold), cold, median(warm), warm, median(status), status);
    System.out.print(report);
    Files.writeString(Path.of("target", "nix-builder-wall-time.txt"), report);
  }

  private static double ms(long start) {
    return Math.round((System.nanoTime() - start) / 1e5) / 10.0;
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2);
  }
}
