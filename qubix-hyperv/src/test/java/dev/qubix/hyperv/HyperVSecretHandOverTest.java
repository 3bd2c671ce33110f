package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Endpoint;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVSecrets;
import dev.qubix.hyperv.internal.PrivateFileCredentialStore;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VM's secret on its way to the guest and to mstsc: on the scripts' stdin, never in an
 * argument, a plan, an event or a file outside the store.
 */
class HyperVSecretHandOverTest {
  private static final String VM_OFF = "{\"switchExists\":true,\"hostIpExists\":false,\"netNats\":[],\"vmExists\":true,"
      + "\"vmState\":\"Off\",\"baseImageCached\":true,\"homeDiskExists\":true,\"ipAddresses\":[],\"uptimeSeconds\":0}";
  private static final String VM_RUNNING = VM_OFF.replace("\"Off\"", "\"Running\"");
  private static final String NO_VM = "{\"switchExists\":true,\"hostIpExists\":false,\"netNats\":[],\"vmExists\":false,"
      + "\"vmState\":null,\"baseImageCached\":false,\"homeDiskExists\":false,\"ipAddresses\":[],\"uptimeSeconds\":0}";
  @TempDir Path state;
  private final FakeCredentialStore store = new FakeCredentialStore(true);
  private final List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());

  private HyperVBackend backend(CommandRunner runner) {
    return new HyperVBackend(Fixtures.wslContext(state, runner, events::add), store);
  }

  private String secret() {
    return store.read(HyperVSecrets.target(Fixtures.dhcp())).orElseThrow();
  }

  @Test
  void recreateHandsTheSecretToTheScriptOnStdinAndNowhereElse() throws Exception {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);

    Ops.recreate(backend(ps), Fixtures.dhcp(), Fixtures.images(true));

    String secret = secret();
    assertThat(ps.stdins).containsExactly(secret + "\n");
    assertThat(String.join(" ", ps.calls.get(0))).doesNotContain(secret);
    assertThat(ps.params(0).path("rdpSecret").asText()).isEqualTo("stdin");
    assertThat(ps.params(0).toString()).doesNotContain(secret);
    assertThat(events).extracting(Object::toString).noneMatch(e -> e.contains(secret));
    try (Stream<Path> files = Files.walk(state)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as("%s", f).doesNotContain(secret);
      }
    }
  }

  @Test
  void theSecretSurvivesRecreateAndDestroyAndPurgeDeletesIt() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);
    HyperVBackend b = backend(ps);

    Ops.recreate(b, Fixtures.dhcp(), Fixtures.images(true));
    String first = secret();
    Ops.recreate(b, Fixtures.dhcp(), Fixtures.images(true));
    Ops.destroy(b, Fixtures.dhcp(), Purge.KEEP_HOME);

    assertThat(ps.stdins.get(1)).isEqualTo(first + "\n");
    assertThat(secret()).isEqualTo(first);

    Ops.destroy(b, Fixtures.dhcp(), Purge.EVERYTHING);

    assertThat(store.read(HyperVSecrets.target(Fixtures.dhcp()))).isEmpty();
    assertThat(events).filteredOn(ProgressEvent.StepStarted.class::isInstance).extracting(e -> (ProgressEvent.StepStarted) e)
        .filteredOn(e -> e.step().equals("forget-secret")).singleElement()
        .satisfies(e -> assertThat(e.index() + "/" + e.total()).isEqualTo("4/4"));
  }

  @Test
  void aFailedPurgeKeepsTheSecretOfTheVmItLeftBehind() {
    Fixtures.FakePowerShell ok = new Fixtures.FakePowerShell(NO_VM);
    Ops.recreate(backend(ok), Fixtures.dhcp(), Fixtures.images(true));
    Fixtures.FakePowerShell failing = new Fixtures.FakePowerShell(argv -> new Fixtures.Answer(1, List.of(
        "::qubix-error::{\"message\":\"the VM stays Running\",\"category\":\"vm-state\",\"fix\":\"\",\"step\":\"remove-vm\"}")));

    assertThatThrownBy(() -> Ops.destroy(backend(failing), Fixtures.dhcp(), Purge.EVERYTHING)).hasMessageContaining("stays Running");
    assertThat(store.read(HyperVSecrets.target(Fixtures.dhcp()))).isPresent();
  }

  @Test
  void startHandsTheSecretOverAgainAndStopDoesNot() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(VM_OFF);
    HyperVBackend b = backend(ps);

    Ops.start(b, Fixtures.dhcp());
    Ops.stop(b, Fixtures.dhcp(), Duration.ofSeconds(5));

    assertThat(ps.stdins).containsExactly(secret() + "\n", "");
    assertThat(ps.params(1).has("rdpSecret")).isFalse();
  }

  @Test
  void rotateReplacesTheSecretOfAStoppedVmOnly() {
    Ops.recreate(backend(new Fixtures.FakePowerShell(NO_VM)), Fixtures.dhcp(), Fixtures.images(true));
    String old = secret();

    assertThatThrownBy(() -> backend(new Fixtures.FakePowerShell(VM_RUNNING)).rotateSecret(Fixtures.dhcp()))
        .isInstanceOf(QubixException.class).hasMessageContaining("is running").hasMessageContaining("stop it, rotate");
    assertThat(secret()).isEqualTo(old);
    assertThatThrownBy(() -> backend(new Fixtures.FakePowerShell(NO_VM)).rotateSecret(Fixtures.dhcp()))
        .isInstanceOf(QubixException.class).hasMessageContaining("does not exist");

    backend(new Fixtures.FakePowerShell(VM_OFF)).rotateSecret(Fixtures.dhcp());

    assertThat(secret()).isNotEqualTo(old);
  }

  @Test
  void aShownPlanNamesWhereTheSecretComesFromButNeverIt() {
    Ops.recreate(backend(new Fixtures.FakePowerShell(NO_VM)), Fixtures.dhcp(), Fixtures.images(true));

    Plan p = Ops.plan(backend(new Fixtures.FakePowerShell(VM_OFF)), Operation.RECREATE, Fixtures.dhcp(), Fixtures.images(true));

    assertThat(p.toString()).contains("KVP item qubix.rdp-password").doesNotContain(secret());
    assertThat(p.steps()).allSatisfy(s -> assertThat(s.details().toString()).doesNotContain(secret()));
  }

  /** Records the client it was asked to start instead of starting it. */
  private static final class ClientRecorder implements CommandRunner {
    final List<Command> started = new ArrayList<>();

    @Override
    public CommandResult run(Command command) {
      throw new AssertionError("connect runs no script here, but got " + command.argv());
    }

    @Override
    public Process start(Command command) {
      started.add(command);
      return new Process() {
        @Override public OutputStream getOutputStream() { return OutputStream.nullOutputStream(); }
        @Override public InputStream getInputStream() { return InputStream.nullInputStream(); }
        @Override public InputStream getErrorStream() { return InputStream.nullInputStream(); }
        @Override public int waitFor() { return 0; }
        @Override public int exitValue() { return 0; }
        @Override public void destroy() { }
      };
    }
  }

  @Test
  void connectStoresTheTermsrvLoginAndStartsMstscWithTheRdpFileOnly() throws Exception {
    MachineManifest m = vmRootInState();
    String secret = new HyperVSecrets(store).ensure(m);
    ClientRecorder runner = new ClientRecorder();

    backend(runner).openClient(m, new Endpoint("172.21.5.7", 3389), Optional.of(secret));

    assertThat(store.get("TERMSRV/172.21.5.7")).hasValueSatisfying(c -> assertThat(c.secret()).isEqualTo(secret));
    Command mstsc = runner.started.get(0);
    assertThat(mstsc.argv()).hasSize(2).noneMatch(a -> a.contains(secret));
    assertThat(mstsc.argv().get(1)).endsWith("\\qubix-spotibox.rdp");
    assertThat(mstsc.stdin()).isNull();
    assertThat(Files.readString(state.resolve("qubix-spotibox/qubix-spotibox.rdp"))).doesNotContain(secret)
        .contains("full address:s:172.21.5.7");
  }

  @Test
  void connectFromWslSaysMstscWillAskInsteadOfStoringTheSecretAnywhereElse() throws Exception {
    MachineManifest m = vmRootInState();
    PrivateFileCredentialStore files = new PrivateFileCredentialStore(state);
    String secret = new HyperVSecrets(files).ensure(m);
    ClientRecorder runner = new ClientRecorder();

    new HyperVBackend(Fixtures.wslContext(state, runner, events::add), files)
        .openClient(m, new Endpoint("172.21.5.7", 3389), Optional.of(secret));

    assertThat(files.list("TERMSRV/")).isEmpty();
    assertThat(events).filteredOn(ProgressEvent.Log.class::isInstance).extracting(e -> ((ProgressEvent.Log) e).line())
        .anySatisfy(l -> assertThat(l).startsWith("mstsc will ask for a password").doesNotContain(secret));
    assertThat(runner.started).hasSize(1);
  }

  @Test
  void theWslStoreKeepsEachSecretInA0600FileInsideA0700Folder() throws Exception {
    PrivateFileCredentialStore files = new PrivateFileCredentialStore(state);

    String secret = new HyperVSecrets(files).ensure(Fixtures.dhcp());

    Path dir = state.resolve("hyperv/credentials");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.toList()).singleElement().satisfies(f -> {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(f.getFileName().toString()).doesNotContain("spotibox");
      });
    }
    assertThat(files.read(HyperVSecrets.target(Fixtures.dhcp()))).contains(secret);
    assertThat(files.list("Qubix/")).extracting(e -> e.target()).containsExactly(HyperVSecrets.target(Fixtures.dhcp()));
  }

  /** A manifest whose vmRoot is the test's state dir seen from Windows, so the .rdp file lands there. */
  private MachineManifest vmRootInState() throws Exception {
    String vmRoot = "\\\\wsl.localhost\\NixOS" + state.toString().replace('/', '\\');
    return ManifestReader.read(Fixtures.DHCP, "spotibox",
        "{\"hyperv\": {\"vmRoot\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(vmRoot) + "}}");
  }
}
