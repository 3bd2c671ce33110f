package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.qubix.ManifestException;
import dev.qubix.Plan;
import dev.qubix.testing.Golden;
import dev.qubix.Step;
import dev.qubix.hyperv.internal.HostState;
import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden plans: which steps run, in which order, with which sentences and script parameters, for
 * each state of the host. The golden files under src/test/resources/dev/qubix/hyperv/golden/ are
 * the specification; after an intended change, regenerate them with -Dqubix.golden.update=true
 * and review the diff.
 */
class HyperVPlannerTest {
  static final String SOURCE = "\\\\wsl.localhost\\NixOS\\nix\\store\\0123456789abcdefghijklmnopqrstuv-spotibox-vhdx\\nixos-image-hyperv.vhdx";
  static final String HOME = "\\\\wsl.localhost\\NixOS\\nix\\store\\abcdefghijklmnopqrstuv0123456789-home\\qubix-home.vhdx";
  private static final Path GOLDEN = Path.of("src/test/resources/dev/qubix/hyperv/golden");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final HostState.NetNat OUR_NAT = new HostState.NetNat("spotibox-nat", "192.168.250.0/24");

  private static HostState host(boolean switchExists, boolean ip, List<HostState.NetNat> nats, boolean vm, boolean base, boolean home) {
    return new HostState(true, switchExists, ip, nats, vm, vm ? "Running" : null, base, home, List.of(), 0);
  }

  private static final HostState FRESH = host(true, false, List.of(), false, false, false);

  private static Plan recreate(MachineManifest m, HostState h, boolean withHome) {
    return HyperVPlanner.recreate(m, Fixtures.images(withHome), h, SOURCE, withHome ? HOME : null);
  }

  /** A plan as people and machines see it: numbered steps, then the script and its decoded parameters. */
  static String render(Plan p) throws Exception {
    StringBuilder sb = new StringBuilder(p.toString()).append("\n\nsteps:");
    for (Step s : p.steps()) {
      sb.append("\n  ").append(s.id());
    }
    Map<String, Object> d = p.steps().get(0).details();
    sb.append("\n\nscript: ").append(d.get("script")).append("\nparams: ").append(JSON.writeValueAsString(d.get("params")));
    return sb.append('\n').toString();
  }

  private static void assertGolden(String name, Plan p) throws Exception {
    Golden.assertMatches(GOLDEN, name, render(p));
  }

  @Test
  void dhcpOnAFreshHostCopiesTheBaseImageAndCreatesABlankHomeDisk() throws Exception {
    Plan p = recreate(Fixtures.dhcpWithoutHomeImage(), FRESH, false);

    assertGolden("recreate-dhcp-fresh", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("switch-default", "private-folders", "base-image",
        "system-disk", "home-disk-create", "create-vm", "rdp-secret", "start", "wait-running");
  }

  /** Item 1: no home disk step, no home disk on the VM, and no homeSizeBytes for the script to refuse. */
  @Test
  void homeDiskDisabledPlansNoHomeDiskAndSendsNoHomeSize() throws Exception {
    Plan p = recreate(Fixtures.withoutHomeDisk(), FRESH, false);

    assertGolden("recreate-dhcp-no-home-disk", p);
    assertThat(p.steps()).extracting(Step::id).doesNotContain("home-disk-create", "home-disk-seed", "home-disk-kept");
    assertThat(p.steps().get(0).details().get("params").toString()).contains("homeDisk=false").doesNotContain("homeSizeBytes");
  }

  @Test
  void dhcpWithCachedBaseExistingVmAndHomeDiskOnlySwapsTheSystemDisk() throws Exception {
    Plan p = recreate(Fixtures.dhcp(), host(true, false, List.of(), true, true, true), true);

    assertGolden("recreate-dhcp-cached-existing", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("switch-default", "private-folders", "base-image-cached",
        "remove-old-vm", "system-disk", "home-disk-kept", "create-vm", "rdp-secret", "start", "wait-running");
    assertThat(params(p).get("steps")).isEqualTo(List.of("switch-default", "private-folders", "remove-old-vm", "system-disk",
        "create-vm", "rdp-secret", "start", "wait-running"));
  }

  @Test
  void aDeclaredHomeImageIsPlannedAsSeedEvenBeforeItIsBuilt() {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), dev.qubix.spi.ImageSet.empty(), FRESH, null, null);

    assertThat(p.steps()).extracting(Step::id).contains("home-disk-seed").doesNotContain("home-disk-create");
  }

  @Test
  void existingVmWithoutHomeDiskSeedsItFromTheHomeImage() throws Exception {
    Plan p = recreate(Fixtures.dhcp(), host(true, false, List.of(), true, false, false), true);

    assertGolden("recreate-dhcp-vm-exists-home-seeded", p);
    assertThat(p.steps()).extracting(Step::id).contains("remove-old-vm", "home-disk-seed").doesNotContain("home-disk-create");
  }

  @Test
  void staticIpOnAFreshHostCreatesSwitchHostAddressAndNetNat() throws Exception {
    Plan p = recreate(Fixtures.staticIp(), host(false, false, List.of(), false, false, false), true);

    assertGolden("recreate-static-fresh", p);
    assertThat(p.steps()).extracting(Step::id).startsWith("switch-create", "host-ip", "netnat", "private-folders", "base-image");
  }

  @Test
  void staticIpWithSwitchAddressAndNatInPlaceCreatesNoneOfThem() throws Exception {
    Plan p = recreate(Fixtures.staticIp(), host(true, true, List.of(OUR_NAT), false, true, false), true);

    assertGolden("recreate-static-ready", p);
    assertThat(p.steps()).extracting(Step::id).doesNotContain("switch-create", "host-ip", "netnat");
  }

  @Test
  void anotherNetNatBlocksTheRecreateAndSaysHowToFixIt() throws Exception {
    Plan p = recreate(Fixtures.staticIp(), host(true, true, List.of(new HostState.NetNat("WinNAT", "172.20.0.0/16")), false, false, false), true);

    assertGolden("recreate-static-other-netnat", p);
    assertThat(p.steps()).extracting(Step::id).contains(HyperVPlanner.BLOCKED).doesNotContain("netnat");
    assertThat(params(p).get("steps")).asList().doesNotContain(HyperVPlanner.BLOCKED);
  }

  @Test
  void hostNotInspectedIsPlannedAsFreshAndSaysSo() throws Exception {
    Plan p = recreate(Fixtures.staticIp(), HostState.unknown(), true);

    assertGolden("recreate-static-not-inspected", p);
    assertThat(p.steps().get(0).description()).contains("host not inspected");
    assertThat(p.steps()).extracting(Step::id).contains("remove-old-vm", "base-image", "home-disk-seed");
  }

  @Test
  void destroyKeepsTheHomeDisk() throws Exception {
    Plan p = HyperVPlanner.destroy(Fixtures.dhcp(), false);

    assertGolden("destroy-keep-home", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("remove-vm", "remove-system-disk", "keep-home-disk");
    assertThat(params(p)).containsEntry("purge", false);
  }

  @Test
  void purgeDeletesTheVmFolderWithTheHomeDisk() throws Exception {
    Plan p = HyperVPlanner.destroy(Fixtures.dhcp(), true);

    assertGolden("destroy-purge", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("remove-vm", "remove-system-disk", "remove-home-disk",
        "forget-secret");
    assertThat(params(p)).containsEntry("purge", true);
  }

  @Test
  void staticNetworkOnTheDefaultSwitchNameUsesItsOwnInternalSwitch() {
    MachineManifest m = ManifestReader.read(Fixtures.DHCP, "spotibox", Fixtures.STATIC_OVERRIDE.replace("spotibox-nat", "Default Switch"));

    Plan p = recreate(m, HostState.unknown(), true);

    assertThat(params(p)).containsEntry("switchName", "spotibox-nat").containsEntry("network", "static");
    assertThat(p.steps().get(0).description()).startsWith("create the internal switch 'spotibox-nat'");
  }

  @Test
  void dhcpKeepsTheConfiguredSwitch() {
    assertThat(params(recreate(Fixtures.dhcp(), FRESH, true))).containsEntry("switchName", "Default Switch")
        .containsEntry("network", "dhcp").doesNotContainKeys("gateway", "subnet", "prefixLength");
  }

  @Test
  void manifestWithoutHyperVSettingsNamesTheField() {
    MachineManifest m = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"hyperv\": null}");

    assertThatThrownBy(() -> recreate(m, HostState.unknown(), false))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("/machines/spotibox/hyperv: missing");
  }

  @Test
  void vmNamedLikeTheImageCacheIsRejectedBecausePurgeWouldDeleteEveryBaseImage() {
    MachineManifest m = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"vmName\": \"images\"}");

    assertThatThrownBy(() -> HyperVPlanner.destroy(m, true))
        .isInstanceOf(ManifestException.class).hasMessageStartingWith("/machines/spotibox/vmName: 'images'");
  }

  // ---- homes: one home.ps1 run per operation

  private static Plan disposable(HostState h) {
    return HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(true), h, SOURCE, HOME,
        dev.qubix.spi.HomeRequest.BeforeRecreate.NEVER, java.time.Instant.parse("2025-01-02T03:04:05Z"), dev.qubix.HomeMode.DISPOSABLE);
  }

  @Test
  void aDisposableHomeIsADifferencingOverlayOverTheHomeDisk() throws Exception {
    Plan p = disposable(host(true, false, List.of(), true, true, true));

    assertGolden("recreate-disposable", p);
    assertThat(p.steps()).extracting(Step::id).containsSubsequence("system-disk", "home-disposable", "create-vm")
        .doesNotContain("home-disk-kept", "home-disk-seed", "home-disk-create");
    assertThat(p.steps()).filteredOn(s -> s.id().equals("home-disposable")).singleElement()
        .satisfies(s -> assertThat(s.description()).contains("never written").contains("-home-disposable.vhdx"));
  }

  @Test
  void aDisposableVmWithoutAHomeDiskMakesNone() throws Exception {
    Plan p = disposable(host(true, false, List.of(), false, true, false));

    assertGolden("recreate-disposable-no-home-disk", p);
    assertThat(p.steps()).filteredOn(s -> s.id().equals("home-disposable")).singleElement()
        .satisfies(s -> assertThat(s.description()).contains("no home disk is made").contains("-home-base.vhdx"));
  }

  @Test
  void aRecreateBacksTheHomeUpWhenTheImageChangesByDefault() throws Exception {
    Plan p = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(true), host(true, false, List.of(), true, true, true),
        SOURCE, HOME, dev.qubix.spi.HomeRequest.BeforeRecreate.DEFAULT, java.time.Instant.parse("2025-01-02T03:04:05Z"));

    assertGolden("recreate-backup-home", p);
    assertThat(p.steps()).extracting(Step::id).containsSubsequence("remove-old-vm", "backup-home", "system-disk");
    assertThat(params(p)).containsEntry("backupName", "before-recreate-20250102T030405Z")
        .containsEntry("backupWhen", "image-change").containsEntry("backupKeep", 1);
  }

  @Test
  void noBackupBeforeARecreateWithoutAHomeDiskOrWhenTurnedOff() {
    var at = java.time.Instant.EPOCH;
    Plan noHome = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(true), host(true, false, List.of(), true, true, false),
        SOURCE, HOME, dev.qubix.spi.HomeRequest.BeforeRecreate.DEFAULT, at);
    Plan never = HyperVPlanner.recreate(Fixtures.dhcp(), Fixtures.images(true), HostState.unknown(), SOURCE, HOME,
        dev.qubix.spi.HomeRequest.BeforeRecreate.NEVER, at);

    assertThat(noHome.steps()).extracting(Step::id).doesNotContain("backup-home");
    assertThat(never.steps()).extracting(Step::id).doesNotContain("backup-home");
    assertThat(params(never)).doesNotContainKeys("backupName", "backupWhen", "backupKeep");
  }

  private static final java.time.Instant NOW = java.time.Instant.parse("2025-01-02T03:04:05Z");
  private static final String USB = "E:\\home.vhdx";

  private static Plan home(dev.qubix.Operation op, dev.qubix.spi.HomeRequest h, String file) {
    return HyperVPlanner.home(Fixtures.dhcp(), op, h, NOW, file);
  }

  @Test
  void aBackupCopiesTheHomeUnderATemporaryNameThenRenamesIt() throws Exception {
    Plan p = home(dev.qubix.Operation.HOME_BACKUP, dev.qubix.spi.HomeRequest.backup("before-upgrade"), null);

    assertGolden("home-backup", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("copy-home", "keep-backup");
    assertThat(p.steps().get(0).description()).contains("stop it first").contains("\\backups\\.partial\\before-upgrade.vhdx");
    assertThat(params(p)).containsEntry("action", "backup").containsEntry("name", "before-upgrade").doesNotContainKeys("file", "keepName");
  }

  @Test
  void aBackupWithoutANameIsNamedByItsTime() {
    Plan p = home(dev.qubix.Operation.HOME_BACKUP, dev.qubix.spi.HomeRequest.NONE, null);

    assertThat(params(p)).containsEntry("name", "backup-20250102T030405Z");
  }

  @Test
  void aRestoreKeepsTheCurrentHomeFirstAndSwitchesInOneCall() throws Exception {
    Plan p = home(dev.qubix.Operation.HOME_RESTORE, dev.qubix.spi.HomeRequest.backup("before-upgrade"), null);

    assertGolden("home-restore", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("copy-backup", "keep-current", "switch-home");
    assertThat(params(p)).containsEntry("name", "before-upgrade").containsEntry("keepName", "before-restore-20250102T030405Z");
  }

  @Test
  void aRestoreShownWithoutItsNameNamesAPlaceholder() {
    Plan p = home(dev.qubix.Operation.HOME_RESTORE, dev.qubix.spi.HomeRequest.NONE, null);

    assertThat(p.steps().get(0).description()).contains("\\backups\\NAME.vhdx");
  }

  @Test
  void anImportChecksTheFormatAndKeepsTheCurrentHome() throws Exception {
    Plan p = home(dev.qubix.Operation.HOME_IMPORT, dev.qubix.spi.HomeRequest.file(Path.of("/ignored")), USB);

    assertGolden("home-import", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("copy-file", "keep-current", "switch-home");
    assertThat(params(p)).containsEntry("file", USB).containsEntry("keepName", "before-restore-20250102T030405Z");
  }

  @Test
  void anExportConvertsByExtension() throws Exception {
    Plan p = home(dev.qubix.Operation.HOME_EXPORT, dev.qubix.spi.HomeRequest.file(Path.of("/ignored")), USB);

    assertGolden("home-export", p);
    assertThat(p.steps()).extracting(Step::id).containsExactly("export");
    assertThat(params(p)).containsEntry("action", "export").containsEntry("file", USB);
  }

  @Test
  void aDeleteRemovesTheBackupAndItsDescription() throws Exception {
    Plan p = home(dev.qubix.Operation.HOME_DELETE, dev.qubix.spi.HomeRequest.backup("old"), null);

    assertGolden("home-delete", p);
    assertThat(params(p)).containsEntry("action", "delete").containsEntry("name", "old");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> params(Plan p) {
    return (Map<String, Object>) p.steps().get(0).details().get("params");
  }
}
