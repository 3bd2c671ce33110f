package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.BackendUnavailableException;
import dev.qubix.InstanceStatus.State;
import dev.qubix.ManifestException;
import dev.qubix.OperationTimeoutException;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.hyperv.Fixtures.Answer;
import dev.qubix.hyperv.internal.HostState;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.hyperv.internal.HyperVProtocol;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.hyperv.internal.PowerShell;
import dev.qubix.hyperv.internal.VmStates;
import dev.qubix.hyperv.internal.WmiVmQuery;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java side of issue 13 (Hyper-V on real hosts): planner, parameters, protocol and the checks
 * Java makes before and after a script. Each test names its review item.
 */
class RealHostChecksTest {
  @TempDir Path state;

  private static HostState host(List<HostState.NetNat> nats, boolean hostIp) {
    return new HostState(true, true, hostIp, nats, false, null, false, false, List.of(), 0);
  }

  /** WSL with Windows' LOCALAPPDATA passed in, its C: drive under the test's state dir. */
  private HostInfo wslHost() {
    return new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("WSL_DISTRO_NAME", "NixOS",
        "LOCALAPPDATA", Fixtures.LOCAL_APP_DATA, "QUBIX_WSL_MOUNT_ROOT", state.resolve("mnt").toString()));
  }

  private static Map<String, Object> params(Plan p) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) p.steps().get(0).details().get("params");
    return m;
  }

  /** Item 2: the manifest's "Default Switch" is looked up by ID; a named switch by name. */
  @Test
  void theDefaultSwitchIsLookedUpByItsFixedIdOnlyWhenTheManifestNamesIt() {
    Plan dhcp = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(true), HostState.unknown(), HyperVPlannerTest.SOURCE, null);
    Plan named = HyperVPlanner.recreate(ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"hyperv\": {\"switchName\": \"LAN\"}}"),
        Fixtures.images(true), HostState.unknown(), HyperVPlannerTest.SOURCE, null);
    Plan stat = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true), HostState.unknown(), HyperVPlannerTest.SOURCE, null);

    assertThat(params(dhcp)).containsEntry("defaultSwitch", true);
    assertThat(params(named)).containsEntry("defaultSwitch", false);
    assertThat(params(stat)).containsEntry("defaultSwitch", false);
    assertThat(HyperVPlanner.stateParams(Fixtures.dhcp(), Fixtures.images(true))).containsEntry("defaultSwitch", true);
    assertThat(HyperVPlanner.DEFAULT_SWITCH_ID).isEqualTo("c08cb7b8-9b3c-408e-8e30-5e16a3aeb444");
  }

  /** Item 3: Caption is translated; VMs are the rows whose Name is a GUID. */
  @Test
  void wmiSelectsVmsByTheirGuidNameNotByTheTranslatedCaption() {
    assertThat(WmiVmQuery.condition("qubix-spotibox")).doesNotContain("Caption");
    assertThat(WmiVmQuery.isVm("5B3E2C1A-9F0D-4E7B-8A61-0C2D3E4F5A6B")).isTrue();
    assertThat(WmiVmQuery.isVm("DESKTOP-1234")).as("the host's own Msvm_ComputerSystem").isFalse();
    assertThat(WmiVmQuery.isVm(null)).isFalse();
  }

  /** Item 4: a plan that adds host networking needs elevation; one that does not, does not. */
  @Test
  void aRecreateThatAddsHostNetworkingNeedsAnElevatedAdministrator() {
    Plan fresh = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true), host(List.of(), false),
        HyperVPlannerTest.SOURCE, null);
    Plan ready = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true),
        host(List.of(new HostState.NetNat("spotibox-nat", "192.168.250.0/24")), true), HyperVPlannerTest.SOURCE, null);

    assertThatThrownBy(() -> HyperVBackend.requireElevationFor(fresh, false)).isInstanceOf(BackendUnavailableException.class)
        .isInstanceOf(ElevationRequiredException.class) // qubixctl exit 4: qubixctl.cmd asks for elevation
        .hasMessageContaining("elevated").hasMessageContaining("Run as administrator");
    assertThatCode(() -> HyperVBackend.requireElevationFor(fresh, true)).doesNotThrowAnyException();
    assertThatCode(() -> HyperVBackend.requireElevationFor(ready, false)).doesNotThrowAnyException();
  }

  /** Item 6: PowerShell's own refusal is on stderr; it reaches the message, and the policy case is named. */
  @Test
  void stderrReachesEveryScriptFailureAndAnExecutionPolicyRefusalIsRecognised() {
    String policy = "File C:\\x\\state.ps1 cannot be loaded because running scripts is disabled on this system. For more "
        + "information, see about_Execution_Policies at https:/go.microsoft.com/fwlink/?LinkID=135170.\n"
        + "    + CategoryInfo          : SecurityError: (:) [], PSSecurityException\n"
        + "    + FullyQualifiedErrorId : UnauthorizedAccess";

    assertThatThrownBy(() -> HyperVProtocol.outcome("state.ps1", 1, List.of(), policy))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("execution policy")
        .hasMessageContaining("Get-ExecutionPolicy -List").hasMessageContaining("PSSecurityException");
    assertThatThrownBy(() -> HyperVProtocol.outcome("state.ps1", 1, List.of(), "something else broke"))
        .hasMessageContaining("exited with 1").hasMessageContaining("something else broke");
    assertThatThrownBy(() -> HyperVProtocol.outcome("recreate.ps1", 1,
        List.of("::qubix-error::{\"message\":\"boom\",\"category\":\"error\",\"fix\":\"\",\"step\":\"create-vm\"}"), "WARNING: detail"))
        .isInstanceOf(HyperVScriptException.class).hasMessageContaining("boom").hasMessageContaining("WARNING: detail");
  }

  /** Item 6: from WSL the scripts go to Windows' %LOCALAPPDATA%, never run from \\wsl.localhost. */
  @Test
  void scriptsRunFromAWindowsLocalCopyUnderLocalAppData() {
    Path mnt = state.resolve("mnt");
    HostInfo wsl = new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("WSL_DISTRO_NAME", "NixOS",
        "LOCALAPPDATA", "C:\\Users\\qubix\\AppData\\Local", "QUBIX_WSL_MOUNT_ROOT", mnt.toString()));
    PowerShell ps = new PowerShell(Fixtures.NO_PROCESS, e -> { }, state, wsl, Duration.ofMinutes(1));

    List<String> argv = ps.argv("state.ps1", Map.of("vmName", "x"));

    assertThat(argv.get(7)).matches("C:\\\\Users\\\\qubix\\\\AppData\\\\Local\\\\Qubix\\\\scripts\\\\[0-9a-f]{16}\\\\state\\.ps1");
    assertThat(mnt.resolve("c/Users/qubix/AppData/Local/Qubix/scripts")).isDirectory();
    HostInfo translated = new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("LOCALAPPDATA", "/mnt/c/Users/qubix/AppData/Local",
        "QUBIX_WSL_MOUNT_ROOT", mnt.toString()));
    assertThat(new PowerShell(Fixtures.NO_PROCESS, e -> { }, state, translated, Duration.ofMinutes(1))
        .argv("state.ps1", Map.of()).get(7)).startsWith("C:\\Users\\qubix\\AppData\\Local\\Qubix\\scripts\\");
  }

  /** Item 6: without WSLENV, WSL asks cmd.exe for LOCALAPPDATA once (from a drive folder) and remembers it. */
  @Test
  void fromWslWithoutLocalAppDataCmdIsAskedOnceAndTheAnswerIsCached() {
    Path mnt = state.resolve("mnt");
    List<List<String>> calls = new CopyOnWriteArrayList<>();
    List<Path> workDirs = new CopyOnWriteArrayList<>();
    CommandRunner cmd = c -> {
      calls.add(c.argv());
      workDirs.add(c.workDir());
      return new CommandResult(c.argv(), 0, "C:\\Users\\me\\AppData\\Local\r\n", "", Duration.ZERO);
    };
    HostInfo wsl = new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("WSL_DISTRO_NAME", "NixOS",
        "QUBIX_WSL_MOUNT_ROOT", mnt.toString()));
    PowerShell ps = new PowerShell(cmd, e -> { }, state, wsl, Duration.ofMinutes(1));

    String first = ps.argv("state.ps1", Map.of()).get(7);
    String second = ps.argv("gc.ps1", Map.of()).get(7);

    assertThat(first).startsWith("C:\\Users\\me\\AppData\\Local\\Qubix\\scripts\\");
    assertThat(second).startsWith("C:\\Users\\me\\AppData\\Local\\Qubix\\scripts\\");
    assertThat(calls).singleElement().satisfies(argv -> assertThat(argv).startsWith("cmd.exe"));
    assertThat(workDirs).singleElement().isEqualTo(mnt.resolve("c"));
  }

  /** Item 9: not from PATH: a 32-bit JVM would get SysWOW64's PowerShell, without the Hyper-V module. */
  @Test
  void windowsPowerShellIsTheSystem32OneByFullPathAndSysnativeFromA32BitJvm() {
    HostInfo x64 = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of("SystemRoot", "C:\\WINDOWS"));
    HostInfo wow64 = new HostInfo(HostInfo.Os.WINDOWS, "x86", false, Map.of("SystemRoot", "C:\\WINDOWS",
        "PROCESSOR_ARCHITEW6432", "AMD64"));
    HostInfo override = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of("QUBIX_POWERSHELL", "pwsh.exe"));

    assertThat(new PowerShell(Fixtures.NO_PROCESS, e -> { }, state, x64, Duration.ofMinutes(1)).argv("state.ps1", Map.of()).get(0))
        .isEqualTo("C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    assertThat(new PowerShell(Fixtures.NO_PROCESS, e -> { }, state, wow64, Duration.ofMinutes(1)).argv("state.ps1", Map.of()).get(0))
        .isEqualTo("C:\\WINDOWS\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe");
    assertThat(new PowerShell(Fixtures.NO_PROCESS, e -> { }, state, override, Duration.ofMinutes(1)).argv("state.ps1", Map.of()).get(0))
        .isEqualTo("pwsh.exe");
  }

  /** Item 10: power.ps1 returns the VM's final state; a stop that leaves it running is a failure. */
  @Test
  void aStopThatLeavesTheVmRunningFails() {
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> Answer.result("{\"state\":\"Running\",\"graceful\":false}"));
    HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, ps));

    assertThatThrownBy(() -> Ops.stop(b, Fixtures.dhcp(), Duration.ofSeconds(5))).isInstanceOf(QubixException.class)
        .hasMessageContaining("is Running after stop, not Off");
    assertThatThrownBy(() -> HyperVBackend.requireFinalState(Fixtures.dhcp(), "start",
        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("state", "Saved")))
        .hasMessageContaining("is Saved after start");
  }

  /** Item 14: access denied to someone who may manage Hyper-V is a plain script error naming the command. */
  @Test
  void accessDeniedToAMemberIsNotJoinTheGroupAndNamesTheCommand() {
    List<String> lines = List.of("::qubix-error::{\"message\":\"Access is denied.\",\"category\":\"access-denied\","
        + "\"fix\":\"New-NetNat was denied access although this user may manage Hyper-V\",\"step\":\"netnat\",\"command\":\"New-NetNat\"}");

    assertThatThrownBy(() -> HyperVProtocol.outcome("recreate.ps1", 1, lines)).isInstanceOf(HyperVScriptException.class)
        .isNotInstanceOf(BackendUnavailableException.class).hasMessageContaining("New-NetNat: Access is denied")
        .hasMessageNotContaining("Add-LocalGroupMember");
  }

  /** Item 15: zero WMI rows for a user who may not manage Hyper-V is not "absent". */
  @Test
  void noWmiRowsForAUserWhoMayNotManageHyperVIsNotAbsent() {
    assertThatThrownBy(() -> HyperVBackend.requireVisible(false)).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("hides VMs").hasMessageContaining("S-1-5-32-578");
    assertThatCode(() -> HyperVBackend.requireVisible(true)).doesNotThrowAnyException();
  }

  /** Item 16: the advice says "inside"; so a NetNat whose prefix contains the subnet serves it. */
  @Test
  void aNetNatWhosePrefixContainsTheSubnetServesItAndOneThatDoesNotBlocks() {
    Plan wide = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true),
        host(List.of(new HostState.NetNat("WinNAT", "192.168.0.0/16")), true), HyperVPlannerTest.SOURCE, null);
    Plan narrow = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true),
        host(List.of(new HostState.NetNat("WinNAT", "192.168.250.0/25")), true), HyperVPlannerTest.SOURCE, null);

    assertThat(wide.steps()).extracting(Step::id).doesNotContain("netnat", HyperVPlanner.BLOCKED);
    assertThat(narrow.steps()).extracting(Step::id).contains(HyperVPlanner.BLOCKED);
    assertThat(narrow.steps().get(0).description()).contains("choose a network.natSwitchSubnet inside 192.168.250.0/25");
  }

  /** Item 17: WSL's switch is Windows'; a static network there is refused before anything runs. */
  @Test
  void aStaticNetworkOnWslsSwitchIsRefused() {
    MachineManifest wsl = ManifestReader.read(Fixtures.DHCP, "spotibox", Fixtures.STATIC_OVERRIDE.replace("spotibox-nat", "WSL"));

    assertThatThrownBy(() -> HyperVPlanner.recreate(wsl, Fixtures.images(true), HostState.unknown(), HyperVPlannerTest.SOURCE, null))
        .isInstanceOf(ManifestException.class).hasMessageContaining("/hyperv/switchName").hasMessageContaining("WSL's switch");
  }

  /** Item 18: the plan says which template Secure Boot uses. */
  @Test
  void secureBootIsPlannedWithTheUefiCaTemplate() {
    MachineManifest sb = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"hyperv\": {\"secureBoot\": true}}");

    Plan p = HyperVPlanner.recreate(sb, Fixtures.images(true), HostState.unknown(), HyperVPlannerTest.SOURCE, null);

    assertThat(p.steps()).filteredOn(s -> s.id().equals("create-vm")).singleElement()
        .extracting(Step::description).asString().contains("Secure Boot on (template MicrosoftUEFICertificateAuthority)");
  }

  /** Item 20: FastSaved, Hibernated and the critical states are states, not UNKNOWN. */
  @Test
  void fastSavedAndCriticalStatesMapToTheirPlainState() {
    assertThat(VmStates.fromEnabledState(32779)).isEqualTo(State.SAVED);      // FastSaved
    assertThat(VmStates.fromEnabledState(32780)).isEqualTo(State.SAVED);      // FastSaving
    assertThat(VmStates.fromEnabledState(32781)).as("ForceShutdown or RunningCritical, by Windows version").isEqualTo(State.UNKNOWN);
    assertThat(VmStates.fromName("RunningCritical")).isEqualTo(State.RUNNING);
    assertThat(VmStates.fromName("SavedCritical")).isEqualTo(State.SAVED);
    assertThat(VmStates.fromName("FastSaved")).isEqualTo(State.SAVED);
    assertThat(VmStates.fromName("OffCritical")).isEqualTo(State.STOPPED);
  }

  /** Item 20: status must answer in seconds, not under recreate's hour. */
  @Test
  void theStatusScriptRunsUnderAShortTimeout() {
    List<Duration> timeouts = new CopyOnWriteArrayList<>();
    CommandRunner runner = c -> {
      timeouts.add(c.timeout());
      c.stdoutLines().accept("::qubix-result::{\"vmExists\":false}");
      return new CommandResult(c.argv(), 0, "::qubix-result::{\"vmExists\":false}\n", "", Duration.ZERO);
    };
    BackendContext ctx = BackendContext.of(state, runner, e -> { }, wslHost(), Duration.ofMinutes(60));

    new HyperVBackend(ctx).inspect(Fixtures.dhcp());

    assertThat(timeouts).singleElement().satisfies(t -> assertThat(t).isLessThanOrEqualTo(Duration.ofSeconds(60)));
  }

  /** Item 20: a runner timeout marks the open step as failed, like an error line does. */
  @Test
  void aRunnerTimeoutReportsTheOpenStepAsFailed() {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    CommandRunner runner = c -> {
      c.stdoutLines().accept("::qubix-step::{\"id\":\"base-image\",\"phase\":\"start\",\"message\":\"\"}");
      throw new OperationTimeoutException("powershell.exe timed out");
    };
    BackendContext ctx = BackendContext.of(state, runner, events::add, wslHost(), Duration.ofMinutes(60));

    assertThatThrownBy(() -> Ops.recreate(new HyperVBackend(ctx), Fixtures.dhcp(), Fixtures.images(true)))
        .isInstanceOf(OperationTimeoutException.class);
    assertThat(events).contains(new ProgressEvent.StepFinished("base-image", ((ProgressEvent.StepFinished) events.stream()
        .filter(e -> e instanceof ProgressEvent.StepFinished).findFirst().orElseThrow()).took(), false));
  }

  /** Item 20: destroy never emits keep-home-disk, so it is not counted in the progress total. */
  @Test
  void destroysProgressTotalCountsOnlyStepsTheScriptEmits() {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    CommandRunner runner = c -> {
      for (String id : List.of("remove-vm", "remove-system-disk")) {
        c.stdoutLines().accept("::qubix-step::{\"id\":\"" + id + "\",\"phase\":\"start\",\"message\":\"\"}");
        c.stdoutLines().accept("::qubix-step::{\"id\":\"" + id + "\",\"phase\":\"done\",\"message\":\"\"}");
      }
      c.stdoutLines().accept("::qubix-result::{}");
      return new CommandResult(c.argv(), 0, "::qubix-result::{}\n", "", Duration.ZERO);
    };
    BackendContext ctx = BackendContext.of(state, runner, events::add, wslHost(), Duration.ofMinutes(60));

    Ops.destroy(new HyperVBackend(ctx), Fixtures.dhcp(), Purge.KEEP_HOME);

    assertThat(events).filteredOn(e -> e instanceof ProgressEvent.StepStarted).extracting(e -> ((ProgressEvent.StepStarted) e).total())
        .containsOnly(2);
  }

  /** Item 20: gc says what it kept and why. */
  @Test
  void gcReportsWhatItKeptAndWhy() {
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(argv -> Answer.result("{\"removed\":[],\"kept\":[{\"path\":"
        + "\"C:\\\\HyperV\\\\Qubix\\\\images\\\\a.vhdx\",\"why\":\"a VM disk uses it\"}],\"uninspectable\":[]}"));

    new HyperVBackend(Fixtures.wslContext(state, ps, events::add)).gc(Fixtures.dhcp());

    assertThat(events).contains(new ProgressEvent.Log(ProgressEvent.Log.Level.INFO, "gc",
        "kept C:\\HyperV\\Qubix\\images\\a.vhdx: a VM disk uses it"));
  }
}
