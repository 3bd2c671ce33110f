package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qubix.BackendUnavailableException;
import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.hyperv.Fixtures.Answer;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.ImageSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend through its real argument building and protocol handling; only powershell.exe is a stand-in. */
class HyperVBackendTest {
  private static final String NO_VM = "{\"switchExists\":true,\"hostIpExists\":false,\"netNats\":[],\"vmExists\":false,"
      + "\"vmState\":null,\"baseImageCached\":false,\"homeDiskExists\":false,\"ipAddresses\":[],\"uptimeSeconds\":0}";
  @TempDir Path state;

  private static String vmState(String state, String ips) {
    return "{\"switchExists\":true,\"hostIpExists\":false,\"netNats\":[],\"vmExists\":true,\"vmState\":\"" + state
        + "\",\"baseImageCached\":true,\"homeDiskExists\":true,\"ipAddresses\":" + ips + ",\"uptimeSeconds\":42}";
  }

  @Test
  void recreateStartsExactlyOnePowerShellWithEveryStepOfThePlan() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);

    Ops.recreate(new HyperVBackend(Fixtures.wslContext(state, ps)), Fixtures.staticIp(), Fixtures.images(true));

    assertThat(ps.calls).hasSize(1);
    List<String> argv = ps.calls.get(0);
    assertThat(argv.subList(0, 7)).containsExactly("powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive",
        "-ExecutionPolicy", "Bypass", "-File");
    assertThat(argv.get(7)).startsWith(Fixtures.SCRIPTS_WINDOWS).endsWith("\\recreate.ps1");
    assertThat(argv.get(8)).isEqualTo("-Params");
    JsonNode p = ps.params(0);
    assertThat(p.path("steps").toString()).isEqualTo("[\"switch-create\",\"host-ip\",\"netnat\",\"private-folders\","
        + "\"base-image\",\"remove-old-vm\",\"system-disk\",\"home-disk-seed\",\"create-vm\",\"rdp-secret\",\"start\","
        + "\"wait-running\"]");
    assertThat(p.path("sourceImage").asText()).isEqualTo(HyperVPlannerTest.SOURCE);
    assertThat(p.path("homeImage").asText()).isEqualTo(HyperVPlannerTest.HOME);
  }

  @Test
  void recreateWithoutTheHyperVImageFailsBeforeAnyProcessStarts() {
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, Fixtures.NO_PROCESS));

    assertThatThrownBy(() -> Ops.recreate(b, Fixtures.dhcp(), ImageSet.empty()))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("/machines/spotibox/images/hyperv: missing");
  }

  @Test
  void stepLinesBecomeEventsWithThePlansDescriptionsAndCopyProgress() {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> new Answer(0, List.of(
        "::qubix-step::{\"id\":\"switch-default\",\"phase\":\"start\",\"message\":\"\"}",
        "::qubix-step::{\"id\":\"switch-default\",\"phase\":\"skip\",\"message\":\"uses the existing switch\"}",
        "::qubix-step::{\"id\":\"base-image\",\"phase\":\"start\",\"message\":\"\"}",
        "WARNING: some localized noise",
        "::qubix-bytes::{\"what\":\"base image\",\"done\":134217728,\"total\":268435456}",
        "::qubix-step::{\"id\":\"base-image\",\"phase\":\"done\",\"message\":\"\"}",
        "::qubix-result::{\"vmName\":\"qubix-spotibox\"}")));

    Ops.recreate(new HyperVBackend(Fixtures.wslContext(state, ps, events::add)), Fixtures.dhcp(), Fixtures.images(true));

    assertThat(events).filteredOn(ProgressEvent.StepStarted.class::isInstance).extracting(e -> (ProgressEvent.StepStarted) e)
        .extracting(e -> e.step() + " " + e.index() + "/" + e.total())
        .containsExactly("switch-default 1/10", "base-image 2/10");
    assertThat(events).filteredOn(ProgressEvent.StepStarted.class::isInstance).first()
        .extracting(e -> ((ProgressEvent.StepStarted) e).description()).asString().startsWith("use the switch 'Default Switch'");
    assertThat(events).contains(new ProgressEvent.BytesCopied("base image", 134217728, 268435456));
    assertThat(events).filteredOn(ProgressEvent.StepFinished.class::isInstance)
        .extracting(e -> ((ProgressEvent.StepFinished) e).step() + " " + ((ProgressEvent.StepFinished) e).ok())
        .containsExactly("switch-default true", "base-image true");
    assertThat(events).filteredOn(ProgressEvent.Log.class::isInstance)
        .extracting(e -> ((ProgressEvent.Log) e).line()).contains("switch-default: nothing to do, uses the existing switch");
  }

  @Test
  void aFailingStepIsReportedAsFailedAndNamedInTheError() {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> new Answer(1, List.of(
        "::qubix-step::{\"id\":\"netnat\",\"phase\":\"start\",\"message\":\"\"}",
        "::qubix-error::{\"message\":\"the NetNat 'WinNAT' owns 172.20.0.0/16\",\"category\":\"netnat-conflict\","
            + "\"fix\":\"Remove-NetNat -Name 'WinNAT'\",\"step\":\"netnat\"}")));
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, ps, events::add));

    assertThatThrownBy(() -> Ops.recreate(b, Fixtures.staticIp(), Fixtures.images(true)))
        .isInstanceOfSatisfying(HyperVScriptException.class, e -> {
          assertThat(e.category()).isEqualTo("netnat-conflict");
          assertThat(e.step()).isEqualTo("netnat");
        })
        .hasMessage("recreate.ps1 at step netnat: the NetNat 'WinNAT' owns 172.20.0.0/16 — Remove-NetNat -Name 'WinNAT'");
    assertThat(events).filteredOn(ProgressEvent.StepFinished.class::isInstance)
        .extracting(e -> ((ProgressEvent.StepFinished) e).step() + " " + ((ProgressEvent.StepFinished) e).ok())
        .containsExactly("netnat false");
  }

  @Test
  void missingRightsReportedByTheScriptMeanTheBackendIsUnavailable() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> new Answer(1, List.of(
        "::qubix-error::{\"message\":\"changing Hyper-V VMs needs an elevated shell\",\"category\":\"permission\","
            + "\"fix\":\"run as administrator\",\"step\":\"\"}")));

    assertThatThrownBy(() -> Ops.destroy(new HyperVBackend(Fixtures.wslContext(state, ps)), Fixtures.dhcp(), Purge.KEEP_HOME))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("destroy.ps1: changing Hyper-V VMs needs an elevated shell — run as administrator");
  }

  @Test
  void planOnPlainLinuxStartsNothingAndSaysTheHostWasNotInspected() {
    HyperVBackend b = new HyperVBackend(Fixtures.linuxContext(state, Fixtures.NO_PROCESS));

    Plan p = Ops.plan(b, Operation.RECREATE, Fixtures.staticIp(), Fixtures.images(true));

    assertThat(p.steps().get(0).description()).contains("host not inspected");
    assertThat(HyperVPlannerTest.params(p)).containsEntry("sourceImage", HyperVPlannerTest.SOURCE);
    assertThat(Files.exists(state.resolve("hyperv"))).as("no scripts installed for a plan on Linux").isFalse();
  }

  @Test
  void planOnAHyperVHostReadsItsStateWithOneReadOnlyScript() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(vmState("Running", "[]"));

    Plan p = Ops.plan(new HyperVBackend(Fixtures.wslContext(state, ps)), Operation.RECREATE, Fixtures.dhcp(), Fixtures.images(true));

    assertThat(ps.calls).hasSize(1);
    assertThat(Fixtures.script(ps.calls.get(0))).isEqualTo("state.ps1");
    assertThat(ps.params(0).path("baseImage").asText()).isEqualTo("C:\\HyperV\\Qubix\\images\\0123456789abcdefghijklmnopqrstuv.vhdx");
    assertThat(p.steps()).extracting(Step::id).contains("base-image-cached", "remove-old-vm", "home-disk-kept");
  }

  @Test
  void upPlansAStartWhenTheVmExists() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(vmState("Off", "[]"));

    Plan p = Ops.plan(new HyperVBackend(Fixtures.wslContext(state, ps)), Operation.UP, Fixtures.dhcp(), Fixtures.images(true));

    assertThat(p.steps()).extracting(Step::id).containsExactly("rdp-secret", "start");
    assertThat(p.steps().get(0).details()).containsEntry("script", "power.ps1");
  }

  @Test
  void statusReadsStateKvpAddressesAndUptime() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(vmState("Running", "[\"172.21.5.7\"]"));

    InstanceStatus s = new HyperVBackend(Fixtures.wslContext(state, ps)).inspect(Fixtures.dhcp()).orElseThrow();

    assertThat(s.state()).isEqualTo(InstanceStatus.State.RUNNING);
    assertThat(s.addresses()).containsExactly("172.21.5.7");
    assertThat(s.uptime()).contains(Duration.ofSeconds(42));
    assertThat(s.details()).containsEntry("vmDir", "C:\\HyperV\\Qubix\\qubix-spotibox");
  }

  @Test
  void statusOfAMissingVmIsEmpty() {
    assertThat(new HyperVBackend(Fixtures.wslContext(state, new Fixtures.FakePowerShell(NO_VM))).inspect(Fixtures.dhcp())).isEmpty();
  }

  @Test
  void statusOnPlainLinuxSaysHyperVNeedsWindows() {
    assertThatThrownBy(() -> new HyperVBackend(Fixtures.linuxContext(state, Fixtures.NO_PROCESS)).inspect(Fixtures.dhcp()))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("Hyper-V needs Windows");
  }

  @Test
  void endpointPrefersTheStaticIpWithoutAskingTheHost() {
    Endpoint e = new HyperVBackend(Fixtures.wslContext(state, Fixtures.NO_PROCESS)).endpoint(Fixtures.staticIp());

    assertThat(e).isEqualTo(new Endpoint("192.168.250.10", 3389));
  }

  @Test
  void endpointTakesTheFirstReachableKvpAddressThenTheMdnsName() {
    HyperVBackend kvp = new HyperVBackend(Fixtures.wslContext(state,
        new Fixtures.FakePowerShell(vmState("Running", "[\"169.254.3.4\",\"0.0.0.0\",\"fe80::1\",\"172.21.5.7\"]"))));
    HyperVBackend none = new HyperVBackend(Fixtures.wslContext(state, new Fixtures.FakePowerShell(vmState("Running", "[]"))));
    MachineManifest noMdns = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"mdnsName\": null}");

    assertThat(kvp.endpoint(Fixtures.dhcp())).isEqualTo(new Endpoint("172.21.5.7", 3389));
    assertThat(none.endpoint(Fixtures.dhcp())).isEqualTo(new Endpoint("spotibox.local", 3389));
    assertThatThrownBy(() -> none.endpoint(noMdns)).hasMessageContaining("reports no IPv4 address yet");
  }

  @Test
  void stopPassesTheGracePeriodAndDestroyThePurgeFlag() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, ps));

    Ops.stop(b, Fixtures.dhcp(), Duration.ofSeconds(90));
    Ops.start(b, Fixtures.dhcp());
    Ops.destroy(b, Fixtures.dhcp(), Purge.EVERYTHING);

    assertThat(ps.calls).extracting(Fixtures::script).containsExactly("power.ps1", "power.ps1", "destroy.ps1");
    assertThat(ps.params(0).toString()).isEqualTo("{\"vmName\":\"qubix-spotibox\",\"vmRoot\":\"C:\\\\HyperV\\\\Qubix\",\"action\":\"stop\",\"graceSeconds\":90}");
    assertThat(ps.params(1).toString()).isEqualTo("{\"vmName\":\"qubix-spotibox\",\"vmRoot\":\"C:\\\\HyperV\\\\Qubix\",\"action\":\"start\",\"graceSeconds\":0,\"rdpSecret\":\"stdin\"}");
    assertThat(ps.params(2).toString()).isEqualTo("{\"vmName\":\"qubix-spotibox\",\"vmRoot\":\"C:\\\\HyperV\\\\Qubix\",\"purge\":true}");
  }

  @Test
  void gcReturnsWhatTheScriptRemoved() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> Answer.result(
        "{\"removed\":[\"C:\\\\HyperV\\\\Qubix\\\\images\\\\old.vhdx\"],\"kept\":[],\"uninspectable\":[]}"));

    List<String> removed = new HyperVBackend(Fixtures.wslContext(state, ps)).gc(Fixtures.dhcp());

    assertThat(removed).containsExactly("C:\\HyperV\\Qubix\\images\\old.vhdx");
    assertThat(ps.params(0).toString()).isEqualTo("{\"vmRoot\":\"C:\\\\HyperV\\\\Qubix\"}");
  }

  @Test
  void scriptsAreInstalledOnceWithBomInAFolderNamedByTheirContentHash() throws Exception {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, ps));

    b.inspect(Fixtures.dhcp());
    Path dir;
    try (Stream<Path> s = Files.list(Fixtures.scriptsLocal(state))) {
      dir = s.findFirst().orElseThrow();
    }
    Path recreate = dir.resolve("recreate.ps1");
    long written = Files.getLastModifiedTime(recreate).toMillis();
    Files.setLastModifiedTime(recreate, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
    b.inspect(Fixtures.dhcp());

    assertThat(dir.getFileName().toString()).matches("[0-9a-f]{16}");
    byte[] bytes = Files.readAllBytes(recreate);
    assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
    assertThat(new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8))
        .isEqualTo(new String(dev.qubix.hyperv.internal.PowerShell.resource("recreate.ps1"), StandardCharsets.UTF_8));
    assertThat(Files.getLastModifiedTime(recreate).toMillis()).as("reused, not rewritten").isEqualTo(written - 60_000);
    assertThat(ps.calls.get(0).get(7)).isEqualTo(Fixtures.SCRIPTS_WINDOWS + dir.getFileName() + "\\state.ps1");
  }

  @Test
  void concurrentFirstRunsInstallTheScriptsOnceAndCompletely() throws Exception {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(NO_VM);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        runs.add(pool.submit(() -> new HyperVBackend(Fixtures.wslContext(state, ps)).inspect(Fixtures.dhcp())));
      }
      for (var r : runs) {
        r.get();
      }
    } finally {
      pool.shutdownNow();
    }

    List<Path> installed;
    try (Stream<Path> s = Files.list(Fixtures.scriptsLocal(state))) {
      installed = s.toList();
    }
    assertThat(installed).hasSize(1);
    try (Stream<Path> s = Files.list(installed.get(0))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
          dev.qubix.hyperv.internal.PowerShell.SCRIPTS);
    }
    assertThat(ps.calls).hasSize(16).allSatisfy(argv -> assertThat(argv.get(7)).contains(installed.get(0).getFileName().toString()));
  }

  @Test
  void rdpFileIsWrittenIntoTheVmFolderAsTheGoldenFile() throws Exception {
    String vmRoot = "\\\\wsl.localhost\\NixOS" + state.toString().replace('/', '\\');
    MachineManifest m = ManifestReader.read(Fixtures.DHCP, "spotibox",
        "{\"hyperv\": {\"vmRoot\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(vmRoot) + "}}");

    String windowsPath = new HyperVBackend(Fixtures.wslContext(state, Fixtures.NO_PROCESS))
        .writeRdpFile(m, new Endpoint("172.21.5.7", 3389));

    assertThat(windowsPath).isEqualTo(vmRoot + "\\qubix-spotibox\\qubix-spotibox.rdp");
    byte[] expected;
    try (var in = getClass().getResourceAsStream("/dev/qubix/hyperv/golden/qubix-spotibox.rdp")) {
      expected = in.readAllBytes();
    }
    assertThat(Files.readAllBytes(state.resolve("qubix-spotibox/qubix-spotibox.rdp"))).isEqualTo(expected);
    assertThat(new String(expected, StandardCharsets.US_ASCII)).contains("\r\n").doesNotContainPattern("[^\r]\n")
        .doesNotContainIgnoringCase("password");
  }

  @Test
  void remoteHyperVHostsAreRefusedClearly() {
    var ctx = Fixtures.wslContext(state, Fixtures.NO_PROCESS);
    var remote = new Fixtures.Context(ctx.stateDir(), ctx.runner(), ctx.listener(), ctx.host(), "hv01.example");

    assertThatThrownBy(() -> new HyperVBackend(remote).inspect(Fixtures.dhcp()))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("hv01.example");
  }

  /** Issue 15: every home operation and disposable homes are declared, so the engine lets them through. */
  @Test
  void declaresEveryHomeOperationAndDisposableHomes() {
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, Fixtures.NO_PROCESS));

    assertThat(b.homeSupport()).isEqualTo(dev.qubix.spi.HomeSupport.all());
  }

  /** A home plan is one home.ps1 run; shown without its name, it names a placeholder and starts no process. */
  @Test
  void aHomePlanShownWithoutItsNameStartsNoProcess() {
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, Fixtures.NO_PROCESS));

    Plan p = b.plan(dev.qubix.spi.PlanRequest.show(Operation.HOME_RESTORE, Fixtures.dhcp(), ImageSet.empty()))
        .describe(Operation.HOME_RESTORE, b.name(), "spotibox");

    assertThat(p.steps()).extracting(Step::id).containsExactly("copy-backup", "keep-current", "switch-home");
    assertThat(p.steps().get(0).details()).containsEntry("script", "home.ps1");
    assertThat(p.steps().get(0).description()).contains("\\backups\\NAME.vhdx");
  }
}
