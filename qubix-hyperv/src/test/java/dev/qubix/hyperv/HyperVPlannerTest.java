package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ManifestException;
import dev.qubix.Plan;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.hyperv.internal.HostState;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.manifest.ManifestReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden plans: which steps run, in which order, for each state of the host. */
class HyperVPlannerTest {
  private static final String SOURCE = "\\\\wsl.localhost\\NixOS\\nix\\store\\0123456789abcdefghijklmnopqrstuv-spotibox-vhdx\\nixos-image-hyperv.vhdx";
  @TempDir Path state;

  private static HostState host(boolean switchExists, boolean ip, List<HostState.NetNat> nats, boolean vm, boolean base, boolean home) {
    return new HostState(true, switchExists, ip, nats, vm, vm ? "Running" : null, base, home, List.of(), 0);
  }

  private static List<String> ids(Plan p) {
    return p.steps().stream().map(Step::id).toList();
  }

  @Test
  void dhcpFreshHost() {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(false), host(true, false, List.of(), false, false, false), SOURCE, null);

    assertThat(ids(p)).containsExactly("switch-default", "base-image", "system-disk", "home-disk-create", "create-vm",
        "start", "wait-running");
    assertThat(p.steps().get(1).description()).isEqualTo("copy the base image once to C:\\HyperV\\Qubix\\images\\"
        + "0123456789abcdefghijklmnopqrstuv.vhdx (read-only; shared by later recreates)");
    assertThat(p.steps().get(3).description()).contains("blank home disk C:\\HyperV\\Qubix\\qubix-spotibox\\qubix-spotibox-home.vhdx of 16384 MiB");
  }

  @Test
  void staticIpCreatesSwitchHostIpAndNatOnlyWhenMissing() {
    Plan fresh = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true), host(false, false, List.of(), false, false, false), SOURCE, "H");
    Plan ready = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(true),
        host(true, true, List.of(new HostState.NetNat("spotibox-nat-nat", "192.168.250.0/24")), false, false, false), SOURCE, "H");

    assertThat(ids(fresh)).startsWith("switch-create", "host-ip", "netnat", "base-image");
    assertThat(fresh.steps().get(1).description()).isEqualTo("give the host adapter vEthernet (spotibox-nat) 192.168.250.1/24");
    assertThat(ids(ready)).startsWith("base-image").doesNotContain("switch-create", "host-ip", "netnat");
    assertThat(ids(fresh)).contains("home-disk-seed");
  }

  @Test
  void anotherNetNatBlocksTheRecreateWithTheFix() {
    Plan p = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(false),
        host(true, true, List.of(new HostState.NetNat("WinNAT", "172.20.0.0/16")), false, false, false), SOURCE, null);

    assertThat(ids(p)).contains(HyperVPlanner.BLOCKED).doesNotContain("netnat");
    assertThat(p.steps().stream().filter(s -> s.id().equals("blocked")).findFirst().orElseThrow().description())
        .contains("WinNAT").contains("172.20.0.0/16").contains("one NetNat per host").contains("Remove-NetNat -Name 'WinNAT'");
  }

  @Test
  void blockedPlanRefusesBeforeAnythingChanges() {
    String natState = "{\"switchExists\":true,\"hostIpExists\":true,\"netNats\":[{\"name\":\"WinNAT\",\"prefix\":\"172.20.0.0/16\"}],"
        + "\"vmExists\":false,\"baseImageCached\":false,\"homeDiskExists\":false,\"ipAddresses\":[],\"uptimeSeconds\":0}";
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(natState);

    assertThatThrownBy(() -> new HyperVBackend(Fixtures.wslContext(state, ps)).recreate(Fixtures.staticIp(), Fixtures.images(false)))
        .isInstanceOf(QubixException.class).hasMessageContaining("one NetNat per host");
    assertThat(ps.calls).hasSize(1);
    assertThat(String.join(" ", ps.calls.get(0))).contains("state.ps1");
  }

  @Test
  void cachedBaseImageIsNotCopiedAgain() {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(false), host(true, false, List.of(), true, true, true), SOURCE, null);

    assertThat(ids(p)).containsExactly("switch-default", "remove-old-vm", "base-image-cached", "system-disk",
        "home-disk-kept", "create-vm", "start", "wait-running");
  }

  @Test
  void existingVmIsRemovedButItsHomeDiskKept() {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(false), host(true, false, List.of(), true, false, true), SOURCE, null);

    assertThat(ids(p)).contains("remove-old-vm", "home-disk-kept").doesNotContain("home-disk-create", "home-disk-seed");
  }

  @Test
  void unknownHostIsPlannedAsFreshAndSaysSo() {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(false), HostState.unknown(), SOURCE, null);

    assertThat(p.steps().get(0).description()).contains("host state unknown");
    assertThat(ids(p)).contains("remove-old-vm", "base-image");
  }

  @Test
  void stepsCarryTheScriptAndItsDecodedParameters() {
    Plan p = HyperVPlanner.recreate(Fixtures.staticIp(), Fixtures.images(false), HostState.unknown(), SOURCE, null);

    Map<String, Object> d = p.steps().get(0).details();
    assertThat(d).containsEntry("script", "recreate.ps1");
    @SuppressWarnings("unchecked") Map<String, Object> params = (Map<String, Object>) d.get("params");
    assertThat(params).containsEntry("vmName", "qubix-spotibox").containsEntry("subnet", "192.168.250.0/24")
        .containsEntry("gateway", "192.168.250.1").containsEntry("secureBoot", false).containsEntry("generation", 2)
        .containsEntry("memoryMinimumBytes", 1L << 30).containsEntry("sourceImage", SOURCE);
  }

  @Test
  void destroyKeepsTheHomeDiskUnlessPurging() {
    assertThat(ids(HyperVPlanner.destroy(Fixtures.dhcp(), false))).containsExactly("remove-vm", "remove-system-disk", "keep-home-disk");
    assertThat(ids(HyperVPlanner.destroy(Fixtures.dhcp(), true))).containsExactly("remove-vm", "remove-system-disk", "remove-home-disk");
  }

  @Test
  void manifestWithoutHyperVSettingsNamesTheField() {
    var m = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"hyperv\": null}");

    assertThatThrownBy(() -> HyperVPlanner.recreate(m, Fixtures.images(false), HostState.unknown(), SOURCE, null))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("/machines/spotibox/hyperv: missing");
  }

  @Test
  void recreateRunsOneScriptWithThePlannedSteps() throws Exception {
    String fresh = "{\"switchExists\":true,\"hostIpExists\":false,\"netNats\":[],\"vmExists\":true,\"vmState\":\"Running\","
        + "\"baseImageCached\":true,\"homeDiskExists\":true,\"ipAddresses\":[],\"uptimeSeconds\":5}";
    Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(fresh);

    new HyperVBackend(Fixtures.wslContext(state, ps)).recreate(Fixtures.dhcp(), Fixtures.images(false));

    assertThat(ps.calls).hasSize(2);
    List<String> recreate = ps.calls.get(1);
    assertThat(recreate.get(7)).endsWith("\\recreate.ps1").startsWith("\\\\wsl.localhost\\NixOS\\");
    String params = new String(java.util.Base64.getDecoder().decode(recreate.get(9)), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(params).contains("\"steps\":[\"switch-default\",\"remove-old-vm\",\"system-disk\",\"create-vm\",\"start\",\"wait-running\"]");
  }
}
