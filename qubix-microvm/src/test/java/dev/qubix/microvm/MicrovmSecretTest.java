package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VM's own RDP password: made on first create, handed to the guest as a systemd credential over
 * fw_cfg (the tiny guest prints its hash), kept across recreates, replaced by rotate, removed by purge,
 * and never in QEMU's arguments or environment, the serial log, progress events or another file.
 */
class MicrovmSecretTest {
  private static final Pattern HASH = Pattern.compile("(?m)^QUBIX-CREDENTIAL-SHA256=([0-9a-f]{64})\\s*$");

  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;
  private final List<ProgressEvent> events = new ArrayList<>();

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmSecretTest");
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphanQemu() {
    TinyGuest.qemuUnder(state).forEach(ProcessHandle::destroyForcibly);
    assertThat(TinyGuest.qemuUnder(state)).isEmpty();
  }

  private Appliance tiny() {
    return TinyGuest.appliance("tiny", flake, state).withListener(events::add);
  }

  /** The backend itself, opened the way the engine opens it: the secret is not in the public API. */
  private dev.qubix.spi.Backend backend() {
    return new MicrovmBackendProvider().open(dev.qubix.spi.BackendContext.of(state,
        new dev.qubix.exec.ProcessCommandRunner(events::add), events::add, dev.qubix.spi.HostInfo.current(), Duration.ofMinutes(5)));
  }

  private Path vm() {
    return state.resolve("qubix-tiny");
  }

  @Test
  void theGuestGetsTheStoredSecretAndNothingElseOnTheHostShowsIt() throws Exception {
    tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofMinutes(2)));

    Path store = vm().resolve("rdp-password");
    String secret = Files.readString(store);
    assertThat(secret).matches("[A-Za-z0-9_-]{32}");   // 192 bits
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
    assertThat(lastHash()).as("what the guest read from fw_cfg").contains(sha256(secret));

    ProcessHandle qemu = TinyGuest.qemuUnder(state).get(0);
    assertThat(read(Path.of("/proc", Long.toString(qemu.pid()), "cmdline"))).doesNotContain(secret).contains("rdp-password");
    assertThat(read(Path.of("/proc", Long.toString(qemu.pid()), "environ"))).doesNotContain(secret);
    assertThat(read(vm().resolve("serial.log"))).doesNotContain(secret);
    assertThat(events).extracting(Object::toString).noneMatch(e -> e.contains(secret));
    assertThat(tiny().plan(Operation.RECREATE).toString()).doesNotContain(secret);
    assertThat(tiny().plan(Operation.PURGE).toString()).doesNotContain(secret);
    try (Stream<Path> all = Files.walk(state)) {
      List<Path> holding = all.filter(p -> Files.isRegularFile(p) && !p.toString().endsWith(".qcow2"))
          .filter(p -> read(p).contains(secret)).toList();
      assertThat(holding).as("files holding the secret").containsExactly(store);
    }
    tiny().destroy(Purge.EVERYTHING);
  }

  @Test
  void theSecretSurvivesRecreateIsReplacedByRotateAndGoesWithPurge() throws Exception {
    tiny().build().recreate();
    String first = Files.readString(vm().resolve("rdp-password"));

    tiny().build().recreate().connect(ConnectOptions.defaults().withoutClient());
    assertThat(Files.readString(vm().resolve("rdp-password"))).isEqualTo(first);
    assertThat(lastHash()).contains(sha256(first));

    assertThatThrownBy(() -> tiny().rotateSecret()).isInstanceOf(QubixException.class).hasMessageContaining("is running");
    tiny().instance().orElseThrow().stop(Duration.ofSeconds(30));
    tiny().rotateSecret();
    String second = Files.readString(vm().resolve("rdp-password"));
    assertThat(second).isNotEqualTo(first).matches("[A-Za-z0-9_-]{32}");
    assertThat(backend().rdpPassword(tiny().manifest())).as("stopped: another process could hold the port").isEmpty();

    tiny().instance().orElseThrow().start().connect(ConnectOptions.defaults().withoutClient());
    assertThat(backend().rdpPassword(tiny().manifest())).contains(second);
    assertThat(lastHash()).as("the guest booted with the new secret").contains(sha256(second));

    tiny().destroy(Purge.KEEP_HOME);
    assertThat(vm().resolve("rdp-password")).as("kept with the home disk").exists();
    tiny().destroy(Purge.EVERYTHING);
    assertThat(vm()).doesNotExist();
  }

  private Optional<String> lastHash() throws Exception {
    List<String> all = HASH.matcher(read(vm().resolve("serial.log"))).results().map(r -> r.group(1)).toList();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  private static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
