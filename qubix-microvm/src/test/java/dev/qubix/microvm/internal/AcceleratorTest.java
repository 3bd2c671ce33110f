package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM probe decides from a real QEMU process, never hangs, and runs once per host. */
class AcceleratorTest {
  private static final CommandRunner LOCAL = CommandRunner.local();
  private static final HostInfo LINUX_HOST = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());
  @TempDir Path dir;

  private BackendContext ctx(HostInfo host, CommandRunner runner) {
    return BackendContext.of(dir, runner, e -> { }, host, java.time.Duration.ofMinutes(1));
  }
  /** Sees every process the probe starts: it must go through the context's runner. */
  final List<Command> started = new CopyOnWriteArrayList<>();
  final CommandRunner runner = new CommandRunner() {
    @Override
    public CommandResult run(Command command) {
      throw new AssertionError("the probe runs nothing to completion: " + command.argv());
    }

    @Override
    public Process start(Command command) {
      started.add(command);
      return LOCAL.start(command);
    }
  };

  @Test
  void overrideSkipsTheProbe() {
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("QUBIX_QEMU_ACCEL", "TCG"));

    assertThat(Accelerator.choose(ctx(host, LOCAL), "/nonexistent/qemu", dir.resolve("cache"))).isEqualTo("tcg");
    assertThat(dir.resolve("cache")).doesNotExist();
  }

  @Test
  void aQemuThatHangsUnderKvmMeansTcgWithinTheProbeLimit() throws Exception {
    Path hanging = script("hangs", "exec sleep 120");

    long start = System.nanoTime();
    Accelerator.Probe probe = Accelerator.kvmBoots(ctx(LINUX_HOST, LOCAL), hanging.toString(), dir.resolve("cache"));

    assertThat(probe.works()).isFalse();
    assertThat(probe.reason()).contains("did not finish under KVM within 5 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aQemuThatAbortsUnderKvmMeansTcgAndSaysWhy() throws Exception {
    Path aborting = script("aborts", "echo 'qemu-system-x86_64: error: failed to set MSR 0x38d to 0x0' >&2; exit 1");

    Accelerator.Probe probe = Accelerator.kvmBoots(ctx(LINUX_HOST, LOCAL), aborting.toString(), dir.resolve("cache"));

    assertThat(probe.works()).isFalse();
    assertThat(probe.reason()).isEqualTo("QEMU exited under KVM: qemu-system-x86_64: error: failed to set MSR 0x38d to 0x0");
  }

  @Test
  void theAnswerIsCachedWithItsReasonAndTheProbeRunsOnce() throws Exception {
    // given a usable KVM device and a QEMU whose SeaBIOS finishes its POST (it logs each start)
    Path kvm = Files.createFile(dir.resolve("kvm"));
    Path starts = dir.resolve("starts");
    Path qemu = script("boots", "echo started >> '" + starts + "'\n"
        + "for a in \"$@\"; do case \"$a\" in file,id=dbg,path=*) printf 'No bootable device.\\n' > \"${a#file,id=dbg,path=}\";; esac; done\n"
        + "exec sleep 60");
    Path cache = dir.resolve("cache");
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());

    // when the accelerator is chosen twice
    String first = Accelerator.choose(ctx(host, runner), qemu.toString(), cache, kvm);
    String json = Files.readString(cache.resolve("kvm-probe.json"));
    String second = Accelerator.choose(ctx(host, runner), qemu.toString(), cache, kvm);

    // then KVM, from one probe, cached with its reason and the binary
    assertThat(first).isEqualTo("kvm");
    assertThat(second).isEqualTo("kvm");
    assertThat(Files.readAllLines(starts)).as("QEMU started by the probe").containsExactly("started");
    assertThat(started).as("started through the runner").singleElement()
        .satisfies(c -> assertThat(c.argv()).startsWith(qemu.toString(), "-accel", "kvm"));
    assertThat(json).contains("\"accel\" : \"kvm\"").contains("\"reason\" : \"SeaBIOS finished its POST under KVM\"")
        .contains(qemu.toString());
    try (var left = Files.list(cache)) {
      assertThat(left).as("probe logs removed").containsExactly(cache.resolve("kvm-probe.json"));
    }
  }

  @Test
  void aChangedQemuBinaryIsProbedAgain() throws Exception {
    Path kvm = Files.createFile(dir.resolve("kvm"));
    Path starts = dir.resolve("starts");
    Path qemu = script("aborts", "echo started >> '" + starts + "'; echo 'failed to set MSR' >&2; exit 1");
    Path cache = dir.resolve("cache");
    HostInfo host = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());
    assertThat(Accelerator.choose(ctx(host, runner), qemu.toString(), cache, kvm)).isEqualTo("tcg");

    assertThat(qemu.toFile().setLastModified(qemu.toFile().lastModified() - 60_000)).isTrue();
    assertThat(Accelerator.choose(ctx(host, runner), qemu.toString(), cache, kvm)).isEqualTo("tcg");

    assertThat(Files.readAllLines(starts)).as("one probe per QEMU binary version").hasSize(2);
  }

  @Test
  void anUnusableKvmDeviceMeansTcgWithoutAProbe() throws Exception {
    Path starts = dir.resolve("starts");
    Path qemu = script("boots", "echo started >> '" + starts + "'; exit 1");

    String accel = Accelerator.choose(ctx(new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of()), LOCAL), qemu.toString(),
        dir.resolve("cache"), dir.resolve("no-kvm"));

    assertThat(accel).isEqualTo("tcg");
    assertThat(starts).as("QEMU never started").doesNotExist();
    assertThat(dir.resolve("cache")).as("nothing to cache").doesNotExist();
  }

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }
}
