package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.hyperv.internal.PowerShell;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the scripts must do on real hosts (localized Windows, non-elevated users, locked-down
 * machines), checked on their text: Hyper-V cannot run here. Each test names the review item of
 * issue 13 it guards.
 */
class RealHostScriptsTest {
  /** Categories that refuse: each must be raised before the first step that changes anything. */
  private static final Set<String> REFUSALS = Set.of("invalid-parameter", "permission", "hyperv-missing", "switch-missing",
      "switch-conflict", "netnat-conflict", "address-conflict", "elevation", "vm-conflict", "cpu-count", "image-missing");

  private static String code(String name) throws Exception {
    return new String(PowerShell.resource(name), StandardCharsets.UTF_8).lines()
        .filter(l -> !l.strip().startsWith("#")).map(l -> l.replaceAll("\\s#.*$", "")).reduce("", (a, b) -> a + b + "\n");
  }

  /** The body of a module function, up to its closing brace in column 0. */
  private static String function(String name) throws Exception {
    String c = code("qubix.psm1");
    int start = c.indexOf("function " + name + " {");
    assertThat(start).as("function %s", name).isNotNegative();
    return c.substring(start, c.indexOf("\n}\n", start) + 2);
  }

  /** The script block of one recreate step, up to the next step. */
  private static String action(String step) throws Exception {
    String c = code("recreate.ps1");
    int start = c.indexOf("        '" + step + "' = {");
    assertThat(start).as("action %s", step).isNotNegative();
    Matcher next = Pattern.compile("\n        '[a-z-]+' = \\{|\n    }\n").matcher(c);
    return c.substring(start, next.find(start + 10) ? next.start() : c.length());
  }

  private static String preflight() throws Exception {
    String c = code("recreate.ps1");
    return c.substring(0, c.indexOf("    $actions = @{"));
  }

  /** Item 5: CDXML cmdlets ignore $ErrorActionPreference (PowerShell/PowerShell#24389, #4568). */
  @Test
  void everyNetTcpIpNetNatAndNetAdapterCallHasErrorActionStop() throws Exception {
    int calls = 0;
    for (String name : PowerShell.SCRIPTS) {
      for (String line : code(name).lines().toList()) {
        Matcher m = Pattern.compile("(NetTCPIP|NetNat|NetAdapter)\\\\[A-Z][a-z]+-\\w+").matcher(line);
        while (m.find()) {
          calls++;
          String rest = line.substring(m.end());
          String args = rest.contains("|") ? rest.substring(0, rest.indexOf('|')) : rest;
          assertThat(args).as("%s: %s", name, line.strip()).contains("-ErrorAction Stop");
        }
      }
    }
    assertThat(calls).isGreaterThanOrEqualTo(5);
  }

  /** Item 11: "Everything that could refuse is checked before the first change." */
  @Test
  void everyRefusalCodeIsRaisedBeforeTheFirstStepThatChangesState() throws Exception {
    String c = code("recreate.ps1");
    int actions = c.indexOf("    $actions = @{");
    Matcher m = Pattern.compile("-Category '([a-z-]+)'").matcher(c);
    while (m.find()) {
      if (REFUSALS.contains(m.group(1))) {
        assertThat(m.start()).as("refusal %s raised inside a step", m.group(1)).isLessThan(actions);
      }
    }
    for (String f : List.of("Assert-QubixOwnsVm", "Assert-QubixElevatedFor")) {
      assertThat(c.indexOf(f)).as(f).isPositive().isLessThan(actions);
      assertThat(c.substring(actions)).as(f + " inside a step").doesNotContain(f);
    }
    assertThat(preflight()).contains("LogicalProcessorCount").contains("-Category 'cpu-count'");
    // the only check left to a step is the copied image's readability, and that step runs before the old VM goes
    assertThat(action("base-image")).contains("Assert-QubixReadableVhd $partial");
    assertThat(c.indexOf("'base-image' = {")).isLessThan(c.indexOf("'remove-old-vm' = {"));
    assertThat(action("remove-old-vm")).doesNotContainPattern("Stop-Qubix\\s").doesNotContain("Get-QubixVms");
  }

  /** Item 12: whole path segments, and the mark, before anything is turned off or removed. */
  @Test
  void qubixTouchesOnlyVmsInItsExactFolderThatCarryItsMark() throws Exception {
    String under = function("Assert-QubixUnder");   // compares against root + '\', whole segments already
    for (String name : PowerShell.SCRIPTS) {
      assertThat(code(name).replace(under, "")).as(name).doesNotContain(".StartsWith(");
    }
    assertThat(under).contains(".TrimEnd('\\') + '\\'");
    assertThat(function("Assert-QubixOwnsVm")).contains("Test-QubixSamePath").contains("$script:VmMark").contains("Notes");
    assertThat(function("Test-QubixSamePath")).contains("GetFullPath").contains("-ieq");
    assertThat(action("create-vm")).contains("-Notes \"$VmMark");
    for (String name : List.of("destroy.ps1", "power.ps1")) {
      String c = code(name);
      int own = c.indexOf("Assert-QubixOwnsVm");
      assertThat(own).as(name).isPositive();
      assertThat(c.indexOf("Invoke-QubixStep")).as(name).isGreaterThan(own);
    }
  }

  /** Item 13: Saved VMs (New-VM's stop action is Save) and critical states, and ShutDown at creation. */
  @Test
  void savedAndCriticalVmsAreBroughtToOffAndNewVmsShutDownWithTheHost() throws Exception {
    String hard = function("Stop-QubixVmHard");
    assertThat(hard).contains("Hyper-V\\Remove-VMSavedState").contains("Saved(Critical)?").contains("(Critical)?")
        .contains("OffCritical").contains("Hyper-V\\Get-VM -Id");
    for (String name : PowerShell.SCRIPTS) {
      String c = code(name).replace(hard, "");
      assertThat(c).as("%s turns a VM off only through Stop-QubixVmHard", name).doesNotContain("-TurnOff");
    }
    assertThat(action("create-vm")).contains("-AutomaticStopAction ShutDown").contains("-AutomaticStartAction StartIfRunning");
  }

  /** Item 18: the Windows template boots no Linux guest. */
  @Test
  void secureBootUsesTheMicrosoftUefiCaTemplate() throws Exception {
    assertThat(action("create-vm")).contains("-EnableSecureBoot On -SecureBootTemplate MicrosoftUEFICertificateAuthority");
  }

  /** Item 2 and 17: the Default Switch by its ID; Windows-managed switches are no static network. */
  @Test
  void theDefaultSwitchIsFoundByItsIdAndSystemSwitchesAreRefusedForStaticNetworks() throws Exception {
    assertThat(code("qubix.psm1")).contains("$script:DefaultSwitchId = '" + HyperVPlanner.DEFAULT_SWITCH_ID + "'");
    assertThat(function("Get-QubixDefaultSwitch")).contains("$_.Id -eq $script:DefaultSwitchId");
    assertThat(preflight()).contains("Resolve-QubixSwitch $p.switchName $p.defaultSwitch").contains("Test-QubixSystemSwitch $switch");
    assertThat(code("state.ps1")).contains("Resolve-QubixSwitch $switchName $defaultSwitch");
    // New-VM gets the switch's real (translated) name
    assertThat(action("create-vm")).contains("-SwitchName $switchName").doesNotContain("-SwitchName $p.switchName");
    assertThat(function("Test-QubixSystemSwitch")).contains("$script:DefaultSwitchId").contains("WSL");
  }

  /** Item 4: host addresses and NetNats need a full administrator, checked before the first change. */
  @Test
  void addingHostNetworkingRequiresElevationInThePreflight() throws Exception {
    assertThat(preflight()).contains("$steps -contains 'host-ip'").contains("$steps -contains 'netnat'")
        .contains("Assert-QubixElevatedFor");
    assertThat(function("Assert-QubixElevatedFor")).contains("Test-QubixElevated").contains("-Category 'elevation'");
  }

  /** Item 16: a NetNat whose prefix contains the subnet serves it, in the preflight and in the step. */
  @Test
  void aNetNatWhosePrefixContainsTheSubnetServesIt() throws Exception {
    assertThat(preflight()).contains("Test-QubixPrefixContains ([string]$_.InternalIPInterfaceAddressPrefix) $p.subnet");
    assertThat(action("netnat")).contains("Test-QubixPrefixContains");
    assertThat(code("recreate.ps1")).doesNotContain("InternalIPInterfaceAddressPrefix -eq").doesNotContain("InternalIPInterfaceAddressPrefix -ne");
  }

  /** Item 19: by DeviceId, not by module-added MAC formatting, and waited for after New-VMSwitch. */
  @Test
  void theHostAdapterIsMatchedByDeviceIdAndAwaitedAfterTheSwitchIsCreated() throws Exception {
    assertThat(function("Get-QubixHostAdapter")).contains("$_.DeviceID -eq $vnic.DeviceId").doesNotContain("MacAddress")
        .contains("Start-Sleep");
    assertThat(action("host-ip")).contains("Get-QubixHostAdapter $switchName -WaitSeconds");
  }

  /** Item 14: access denied to a member is not "join the group"; a missing command is named. */
  @Test
  void errorsAreClassifiedByWhoIsAskingAndNameTheFailingCommand() throws Exception {
    String main = function("Invoke-QubixMain");
    assertThat(main).contains("Test-QubixMayManageHyperV").contains("'access-denied'").contains("$ex.CommandName")
        .contains("'command-missing'").contains("command = $command");
  }

  /** Item 15: from WSL, state.ps1 is the status: no VM for a user who may not see VMs is not "absent". */
  @Test
  void stateScriptDoesNotCallAVmAbsentForAUserWhoCannotSeeVms() throws Exception {
    assertThat(code("state.ps1")).contains("if (-not $vm) { Assert-QubixMayManageHyperV }");
  }

  /** Item 10: Wait-Job returns for Failed jobs too: the VM's state decides, and goes back to Java. */
  @Test
  void stopDecidesByTheVmsStateNotByWaitJob() throws Exception {
    String c = code("power.ps1");
    int wait = c.indexOf("Wait-Job");
    assertThat(wait).isPositive();
    assertThat(c.substring(wait)).contains("Hyper-V\\Get-VM -Id $vm.Id").contains("Stop-QubixVmHard $vm");
    assertThat(c).contains("state = $final");
  }

  /** Item 20: purge, gc, locks, partial copies, the console code page. */
  @Test
  void purgeNeedsTheFolderMarkThatRecreateWrites() throws Exception {
    assertThat(action("system-disk")).contains("$FolderMark");
    String d = code("destroy.ps1");
    assertThat(d.indexOf("$FolderMark")).isPositive().isLessThan(d.indexOf("Invoke-QubixStep"));
  }

  @Test
  void gcAndTheBaseImageStepShareOneVmRootLockAndGcRemovesPartialsAndSaysWhyItKeeps() throws Exception {
    assertThat(function("Lock-QubixImages")).contains("[System.IO.FileShare]::None");
    assertThat(action("base-image")).contains("Lock-QubixImages $p.vmRoot");
    String gc = code("gc.ps1");
    assertThat(gc.indexOf("Lock-QubixImages")).isPositive().isLessThan(gc.indexOf("Remove-Item"));
    assertThat(gc).contains("'*.partial'").contains("why = ");
  }

  @Test
  void noScriptChangesTheCallersConsoleCodePage() throws Exception {
    for (String name : PowerShell.SCRIPTS) {
      assertThat(code(name)).as(name).doesNotContain("OutputEncoding");
    }
  }
}
