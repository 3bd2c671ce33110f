package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.qubix.spi.HostInfo;
import dev.qubix.test.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM probe decides from a real QEMU process, never hangs, and runs once per host. */
class AcceleratorTest {
  @TempDir Path dir;

  @Test
  void overrideSkipsTheProbe() {
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("QUBIX_QEMU_ACCEL", "TCG"));

    assertThat(Accelerator.choose(host, "/nonexistent/qemu", dir.resolve("cache"))).isEqualTo("tcg");
    assertThat(dir.resolve("cache")).doesNotExist();
  }

  @Test
  void aQemuThatHangsUnderKvmMeansTcgWithinTheProbeLimit() throws Exception {
    Path hanging = script("hangs", "exec sleep 120");

    long start = System.nanoTime();
    Accelerator.Probe probe = Accelerator.kvmBoots(hanging.toString(), dir.resolve("cache"));

    assertThat(probe.works()).isFalse();
    assertThat(probe.reason()).contains("did not finish under KVM within 5 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aQemuThatAbortsUnderKvmMeansTcgAndSaysWhy() throws Exception {
    Path aborting = script("aborts", "echo 'qemu-system-x86_64: error: failed to set MSR 0x38d to 0x0' >&2; exit 1");

    Accelerator.Probe probe = Accelerator.kvmBoots(aborting.toString(), dir.resolve("cache"));

    assertThat(probe.works()).isFalse();
    assertThat(probe.reason()).isEqualTo("QEMU exited under KVM: qemu-system-x86_64: error: failed to set MSR 0x38d to 0x0");
  }

  @Test
  void theAnswerIsCachedWithItsReason() throws Exception {
    Path qemu = Requires.tool("qemu-system-x86_64");
    assumeThat(Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")))
        .as("/dev/kvm usable by this user").isTrue();
    Path cache = dir.resolve("cache");

    String first = Accelerator.choose(HostInfo.current(), qemu.toString(), cache);
    String json = Files.readString(cache.resolve("kvm-probe.json"));
    long start = System.nanoTime();
    String second = Accelerator.choose(HostInfo.current(), qemu.toString(), cache);

    assertThat(second).isEqualTo(first).isIn("kvm", "tcg");
    assertThat(json).contains("\"accel\" : \"" + first + "\"").contains("\"reason\"").contains(qemu.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no second probe").isLessThan(Duration.ofMillis(500));
    try (var left = Files.list(cache)) {
      assertThat(left).as("probe logs removed").containsExactly(cache.resolve("kvm-probe.json"));
    }
  }

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
