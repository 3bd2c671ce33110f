package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.Qubix;
import dev.qubix.spi.StepRunner;
import dev.qubix.test.TinyGuest;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Overlays, crashes mid-recreate, and bad input: the VM state always stays repairable. */
class MicrovmRobustnessTest {
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphanQemu() {
    List<ProcessHandle> left = TinyVm.qemuUnder(state);
    left.forEach(ProcessHandle::destroyForcibly);
    assertThat(left).as("orphan QEMU processes").isEmpty();
  }

  private Appliance tiny(String machine) {
    return TinyVm.appliance(machine, flake, state);
  }

  @Test
  void guestWritesGoToTheOverlayNeverToTheStoreImage() throws Exception {
    var built = tiny("tiny-disk").build();
    Path image = built.images().get("microvm").orElseThrow().file();
    String before = sha256(image);
    FileTime mtime = Files.getLastModifiedTime(image);

    built.recreate().connect(ConnectOptions.defaults().withoutClient());
    built.recreate().connect(ConnectOptions.defaults().withoutClient());

    String serial = Files.readString(state.resolve("qubix-tiny-disk/serial.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
    // each recreate starts from a fresh overlay: the marker the guest writes never accumulates
    assertThat(serial.lines().filter(l -> l.startsWith("QUBIX-SYSTEM-MARKER=")).toList())
        .containsExactly("QUBIX-SYSTEM-MARKER=1", "QUBIX-SYSTEM-MARKER=1");
    assertThat(sha256(image)).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(image)).isEqualTo(mtime);
    assertThat(TinyVm.lastBootCount(state, "qubix-tiny-disk")).isEqualTo(2);
    tiny("tiny-disk").destroy(Purge.EVERYTHING);
  }

  @ParameterizedTest(name = "killed before {0}")
  @ValueSource(strings = {"stop-old", "clean", "system-disk", "home-disk", "port", "start", "wait-running"})
  void aJvmKilledMidRecreateLeavesStateTheNextRecreateRepairs(String step) throws Exception {
    tiny("tiny").build().recreate().connect(ConnectOptions.defaults().withoutClient());
    assertThat(TinyVm.lastBootCount(state, "qubix-tiny")).isEqualTo(1);

    Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + StepRunner.HALT_PROPERTY + "=" + step, "-cp", System.getProperty("java.class.path"),
        RecreateMain.class.getName(), flake.toString(), state.toString()))
        .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    assertThat(child.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(child.exitValue()).as("halted at " + step).isEqualTo(137);

    tiny("tiny").build().recreate().connect(ConnectOptions.defaults().withoutClient());

    assertThat(tiny("tiny").status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.RUNNING);
    assertThat(TinyVm.lastBootCount(state, "qubix-tiny")).as("home counter intact").isGreaterThanOrEqualTo(2);
    assertThat(TinyVm.qemuUnder(state)).hasSize(1);
    tiny("tiny").destroy(Purge.EVERYTHING);
  }

  @Test
  void directImageWithoutKernelIsAClearErrorAndStartsNothing() throws Exception {
    Path broken = Files.createDirectories(state.resolve("broken-direct"));
    Files.writeString(broken.resolve("initrd"), "x");
    Path manifest = prebuilt("direct", broken);

    assertThatThrownBy(() -> Qubix.appliance("bad").withManifest(manifest).withBackend("microvm").withStateDir(state)
        .build().recreate())
        .isInstanceOf(QubixException.class).hasMessageContaining("has no kernel");
  }

  @Test
  void corruptQcow2IsAClearErrorAndStartsNothing() throws Exception {
    Path corrupt = state.resolve("corrupt.qcow2");
    Files.write(corrupt, "QFI\u00fbthis is not really a qcow2 image".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Path manifest = prebuilt("qcow2", corrupt);

    assertThatThrownBy(() -> Qubix.appliance("bad").withManifest(manifest).withBackend("microvm").withStateDir(state)
        .build().recreate())
        .isInstanceOf(QubixException.class).hasMessageContaining("cannot be used as a qcow2 backing file");
    assertThat(Qubix.appliance("bad").withManifest(manifest).withBackend("microvm").withStateDir(state).status()).isEmpty();
  }

  @Test
  void portTakenByAnotherProcessIsAClearErrorNamingIt() throws Exception {
    tiny("tiny").build().recreate();
    tiny("tiny").instance().orElseThrow().stop();
    int port = tiny("tiny").instance().orElseThrow().endpoint().port();

    try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> tiny("tiny").instance().orElseThrow().start())
          .isInstanceOf(QubixException.class)
          .hasMessageContaining("port " + port)
          .hasMessageContaining("used by another process");
    }
    assertThat(TinyVm.qemuUnder(state)).isEmpty();
    tiny("tiny").destroy(Purge.EVERYTHING);
  }

  private Path prebuilt(String format, Path image) throws Exception {
    Path m = state.resolve("bad.json");
    Files.writeString(m, """
        {"schemaVersion": 3, "machines": {"bad": {"hostName": "bad", "vmName": "qubix-bad", "cpuCount": 1,
          "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456, "network": {"mode": "dhcp"},
          "homeDisk": {"enable": true, "sizeMiB": 64}, "rdp": {"user": "rdp"},
          "images": {"microvm": {"package": "bad", "format": "%s", "path": "%s"}}}}}
        """.formatted(format, image));
    return m;
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  /** The operation a test kills: one recreate in its own JVM. */
  public static final class RecreateMain {
    public static void main(String[] args) {
      TinyVm.appliance("tiny", Path.of(args[0]), Path.of(args[1])).build().recreate();
    }
  }
}
