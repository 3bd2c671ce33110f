package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.Command;
import dev.qubix.exec.CommandRunner;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.RdpSecret;
import dev.qubix.testing.Requires;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Secret Service: a private session bus (dbus-daemon) with GNOME Keyring unlocked on it,
 * and the real secret-tool. A VM's secret is stored there, read back, rotated and cleared, with no
 * file left in the VM folder. Skips locally without the tools; CI installs them (.ci/run).
 */
class SecretServiceRoundTripTest {
  @TempDir Path home;
  @TempDir Path state;
  private Process bus;
  private Process keyring;
  private String address;
  private final List<Command> commands = new CopyOnWriteArrayList<>();

  @BeforeEach
  void privateSessionWithAnUnlockedKeyring() throws Exception {
    for (String tool : List.of("secret-tool", "dbus-daemon", "dbus-send", "gnome-keyring-daemon")) {
      Requires.tool(tool);
    }
    Path runtime = Files.createDirectory(home.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    ProcessBuilder b = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1")
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    bus = b.start();
    address = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(address).as("dbus-daemon's address").startsWith("unix:");

    ProcessBuilder k = new ProcessBuilder("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
        .redirectOutput(home.resolve("keyring.log").toFile()).redirectErrorStream(true);
    k.environment().putAll(Map.of("HOME", home.toString(), "XDG_DATA_HOME", home.resolve("data").toString(),
        "XDG_RUNTIME_DIR", runtime.toString(), "DBUS_SESSION_BUS_ADDRESS", address));
    keyring = k.start();
    try (OutputStream in = keyring.getOutputStream()) {
      in.write("qubix-test-keyring".getBytes(StandardCharsets.UTF_8));   // the new login keyring's password: unlocked
    }
    awaitSecretService();
  }

  /** Until the keyring owns the name: a secret-tool call before that would have the bus start a second, locked one. */
  private void awaitSecretService() throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < until) {
      ProcessBuilder q = new ProcessBuilder("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
          "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
          .redirectErrorStream(true);
      q.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
      Process p = q.start();
      String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      if (reply.contains("boolean true")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("GNOME Keyring did not appear on the private bus: " + Files.readString(home.resolve("keyring.log")));
  }

  @AfterEach
  void endTheSession() throws Exception {
    for (Process p : new Process[] {keyring, bus}) {
      if (p != null) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private VmSecret secrets() {
    ProcessCommandRunner real = new ProcessCommandRunner(e -> { });
    CommandRunner recording = c -> {
      commands.add(c);
      return real.run(c);
    };
    Map<String, String> env = Map.of("DBUS_SESSION_BUS_ADDRESS", address, "PATH", System.getenv("PATH"));
    return VmSecret.of(BackendContext.of(state, recording, e -> { }, new HostInfo(HostInfo.Os.LINUX, "amd64", false, env),
        Duration.ofMinutes(1)));
  }

  /** What the keyring holds for the VM, asked with secret-tool directly. */
  private String lookup(VmFiles f) throws Exception {
    ProcessBuilder q = new ProcessBuilder("secret-tool", "lookup", "qubix-vm", f.dir().toAbsolutePath().toString());
    q.environment().put("DBUS_SESSION_BUS_ADDRESS", address);
    Process p = q.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  @Test
  void theSecretIsStoredReadRotatedAndClearedInTheKeyringWithNoFileLeft() throws Exception {
    VmFiles f = new VmFiles(Files.createDirectory(state.resolve("qubix-box"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    VmSecret secrets = secrets();

    String first = secrets.ensure(f);
    assertThat(RdpSecret.wellFormed(first)).isTrue();
    assertThat(lookup(f)).isEqualTo(first);
    assertThat(secrets().read(f)).as("another Qubix process finds it").contains(first);

    Path handOver = secrets.handOver(f);
    assertThat(Files.readString(handOver)).isEqualTo(first);
    VmSecret.dropHandOver(f);

    secrets.rotate(f);
    String second = lookup(f);
    assertThat(second).isNotEqualTo(first).matches(RdpSecret.FORMAT.pattern());
    assertThat(secrets.read(f)).contains(second);
    try (var left = Files.list(f.dir())) {
      assertThat(left).as("files in the VM folder").isEmpty();
    }

    secrets.forget(f);
    assertThat(lookup(f)).isEmpty();
    assertThat(secrets.read(f)).isEmpty();
    assertThat(commands).isNotEmpty().allSatisfy(c -> assertThat(c.argv()).noneMatch(a -> a.contains(first) || a.contains(second)));
  }
}
