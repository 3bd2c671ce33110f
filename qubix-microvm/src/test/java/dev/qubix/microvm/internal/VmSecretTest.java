package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.event.ProgressEvent;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandRunner;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.RdpSecret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a microvm VM's RDP secret lives on Linux: in the Secret Service where a session bus and
 * secret-tool exist (here a stand-in secret-tool on PATH that records its arguments and keeps the
 * value), else in the 0600 file; a VM that has the file keeps it; rotate and purge act on the store
 * that holds the secret. The secret is never in a program's arguments, environment or output lines.
 */
class VmSecretTest {
  private static final String BUS = "unix:path=/run/user/1000/bus";

  @TempDir Path state;
  @TempDir Path bin;
  private final List<Command> commands = new CopyOnWriteArrayList<>();
  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private VmFiles f;

  @BeforeEach
  void fakeSecretTool() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("fake-secret-tool")) {
      Files.write(bin.resolve("secret-tool"), in.readAllBytes());
    }
    Files.setPosixFilePermissions(bin.resolve("secret-tool"), PosixFilePermissions.fromString("rwx------"));
    f = new VmFiles(state.resolve("qubix-box"));
  }

  /** A desktop session: the bus is set and secret-tool (the stand-in) is on PATH. */
  private VmSecret withSessionBus() {
    return VmSecret.of(context(Map.of("DBUS_SESSION_BUS_ADDRESS", BUS, "PATH", bin + ":/usr/bin:/bin")));
  }

  private VmSecret withoutSessionBus() {
    return VmSecret.of(context(Map.of("PATH", bin + ":/usr/bin:/bin")));
  }

  private BackendContext context(Map<String, String> env) {
    ProcessCommandRunner real = new ProcessCommandRunner(events::add);
    CommandRunner recording = c -> {
      commands.add(c);
      return real.run(c);
    };
    return BackendContext.of(state, recording, events::add, new HostInfo(HostInfo.Os.LINUX, "amd64", false, env),
        Duration.ofMinutes(1));
  }

  private void vmFolder() throws IOException {
    Files.createDirectories(f.dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private List<String> secretToolCalls() throws IOException {
    Path log = bin.resolve("argv.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** What the Secret Service holds, as the stand-in keeps it: the value of each item. */
  private List<String> serviceItems() throws IOException {
    Path items = bin.resolve("items");
    if (!Files.isDirectory(items)) {
      return List.of();
    }
    try (Stream<Path> all = Files.list(items)) {
      return all.map(p -> read(p)).toList();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The secret in no argument, environment value or output line of any program Qubix ran. */
  private void assertNeverShown(String secret) throws IOException {
    assertThat(commands).isNotEmpty();
    for (Command c : commands) {
      assertThat(c.argv()).noneMatch(a -> a.contains(secret));
      assertThat(c.environment().values()).noneMatch(v -> v.contains(secret));
    }
    assertThat(secretToolCalls()).noneMatch(line -> line.contains(secret));
    assertThat(events).extracting(Object::toString).noneMatch(e -> e.contains(secret));
  }

  @Test
  void withASessionBusANewVmKeepsItsSecretInTheSecretServiceAndNoFileInItsFolder() throws IOException {
    vmFolder();
    VmSecret secrets = withSessionBus();

    String secret = secrets.ensure(f);

    assertThat(RdpSecret.wellFormed(secret)).isTrue();
    assertThat(serviceItems()).containsExactly(secret);
    assertThat(f.secret()).doesNotExist();
    try (Stream<Path> left = Files.list(f.dir())) {
      assertThat(left).as("no file holds the secret in the VM folder").isEmpty();
    }
    assertThat(secrets.read(f)).contains(secret);
    assertThat(secrets.ensure(f)).as("kept, not made again").isEqualTo(secret);
    assertThat(secretToolCalls()).contains("store --label=Qubix RDP password qubix-box qubix-vm " + f.dir().toAbsolutePath());
    assertThat(Files.readAllLines(bin.resolve("bus.log"))).as("the session bus Qubix was given").containsOnly(BUS);
    assertNeverShown(secret);
  }

  @Test
  void qemuReadsTheSecretFromA0600HandOverFileThatIsDeletedAfterwards() throws IOException {
    vmFolder();
    VmSecret secrets = withSessionBus();

    Path handOver = secrets.handOver(f);

    assertThat(handOver).isEqualTo(f.secretHandOver());
    assertThat(Files.readString(handOver)).isEqualTo(secrets.read(f).orElseThrow());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(handOver))).isEqualTo("rw-------");
    assertThat(f.disposable()).as("a hand-over left by a crash goes with recreate and destroy").contains(handOver);
    VmSecret.dropHandOver(f);
    assertThat(handOver).doesNotExist();
    assertThat(f.secret()).doesNotExist();
  }

  @Test
  void rotateAndPurgeActOnTheSecretService() throws IOException {
    vmFolder();
    VmSecret secrets = withSessionBus();
    String first = secrets.ensure(f);

    secrets.rotate(f);
    String second = secrets.read(f).orElseThrow();

    assertThat(second).isNotEqualTo(first);
    assertThat(serviceItems()).containsExactly(second);
    assertThat(f.secret()).doesNotExist();

    secrets.forget(f);
    assertThat(serviceItems()).isEmpty();
    assertThat(secrets.read(f)).isEmpty();
    assertThat(secretToolCalls()).contains("clear qubix-vm " + f.dir().toAbsolutePath());
    assertNeverShown(first);
    assertNeverShown(second);
  }

  @Test
  void aVmWhoseSecretIsInAFileKeepsUsingItWhenASessionBusAppears() throws IOException {
    String old = withoutSessionBus().ensure(f);
    assertThat(f.secret()).exists();
    VmSecret secrets = withSessionBus();

    assertThat(secrets.ensure(f)).isEqualTo(old);
    secrets.rotate(f);
    String rotated = Files.readString(f.secret());

    assertThat(rotated).isNotEqualTo(old);
    assertThat(secrets.read(f)).contains(rotated);
    assertThat(serviceItems()).as("the secret was not copied into the Secret Service").isEmpty();
    assertThat(secretToolCalls()).noneMatch(c -> c.startsWith("store"));
    secrets.forget(f);
    assertThat(f.secret()).doesNotExist();
  }

  @Test
  void withoutASessionBusTheSecretIsA0600FileAndSecretToolIsNeverRun() throws IOException {
    VmSecret secrets = withoutSessionBus();

    String secret = secrets.ensure(f);
    secrets.handOver(f);
    VmSecret.dropHandOver(f);

    assertThat(Files.readString(f.secret())).isEqualTo(secret);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.secret()))).isEqualTo("rw-------");
    assertThat(secretToolCalls()).isEmpty();
    assertThat(commands).isEmpty();
    assertThat(secrets.service(f)).isEmpty();
  }

  @Test
  void whenTheSecretServiceFailsTheSecretFallsBackToA0600File() throws IOException {
    vmFolder();
    Files.writeString(bin.resolve("broken"), "");
    VmSecret secrets = withSessionBus();

    String secret = secrets.ensure(f);

    assertThat(Files.readString(f.secret(), StandardCharsets.US_ASCII)).isEqualTo(secret);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.secret()))).isEqualTo("rw-------");
    assertThat(secretToolCalls()).as("it was tried").isNotEmpty();
    try (Stream<Path> left = Files.list(f.dir())) {
      assertThat(left).as("no lookup output left behind").containsExactly(f.secret());
    }

    Files.delete(bin.resolve("broken"));
    assertThat(withSessionBus().read(f)).as("the file wins once the service works again").contains(secret);
    assertNeverShown(secret);
  }

  @Test
  void purgeStillRemovesTheFileWhenTheSecretServiceFails() throws IOException {
    String secret = withoutSessionBus().ensure(f);
    Files.writeString(bin.resolve("broken"), "");

    withSessionBus().forget(f);

    assertThat(f.secret()).doesNotExist();
    assertNeverShown(secret);
  }

  @Test
  void planningNamesTheSecretServiceWithoutAskingIt() throws IOException {
    assertThat(withSessionBus().service(f)).contains("the Secret Service (secret-tool, qubix-vm=" + f.dir().toAbsolutePath() + ")");
    assertThat(withoutSessionBus().service(f)).isEmpty();
    assertThat(secretToolCalls()).isEmpty();
  }
}
