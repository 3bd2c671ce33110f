package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Step;
import dev.qubix.hyperv.internal.HostState;
import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.hyperv.internal.PowerShell;
import dev.qubix.hyperv.internal.RecreateParamRules;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The rules the scripts live by, checked on their text: what makes them safe on any Windows
 * language and against any value (the grammar itself is PowerShellGrammarTest's job).
 */
class ScriptConventionsTest {
  private static final List<String> OPERATIONS = PowerShell.SCRIPTS.stream().filter(s -> s.endsWith(".ps1")).toList();
  /** Cmdlets of these modules have namesakes elsewhere (VMware PowerCLI has Get-VM): always qualified. */
  private static final Pattern HYPERV_NOUN = Pattern.compile("(?<![\\w\\\\-])([A-Z][a-z]+-(VM\\w*|VHD))\\b");
  private static final Pattern NET_NOUN = Pattern.compile("(?<![\\w\\\\-])([A-Z][a-z]+-(NetNat|NetIPAddress|NetAdapter))\\b");

  private static final String STRICT = "Set-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n"
      + "$ProgressPreference = 'SilentlyContinue'\n";

  private static String text(String name) throws Exception {
    return new String(PowerShell.resource(name), StandardCharsets.UTF_8);
  }

  /** The script's code without its comments, so that prose cannot satisfy or break a rule. */
  private static String code(String name) throws Exception {
    return text(name).lines().filter(l -> !l.strip().startsWith("#")).map(l -> l.replaceAll("\\s#.*$", ""))
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** Code without string literals: a fix text may name a cmdlet the way a user would type it. */
  private static String codeWithoutStrings(String name) throws Exception {
    return code(name).lines().map(l -> l.replaceAll("\"[^\"]*\"|'[^']*'", "''")).reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void everyHyperVAndNetworkCmdletIsModuleQualified() throws Exception {
    for (String name : PowerShell.SCRIPTS) {
      String code = codeWithoutStrings(name);
      for (Pattern p : List.of(HYPERV_NOUN, NET_NOUN)) {
        Matcher m = p.matcher(code);
        while (m.find()) {
          assertThat(m.group(1)).as("%s uses %s without its module prefix", name, m.group(1)).isIn(Set.of());
        }
      }
      assertThat(code).as(name).doesNotContainPattern("(?i)\\bGet-VM\\s+-Name\\b");
    }
  }

  @Test
  void noScriptEvaluatesTextAsCode() throws Exception {
    for (String name : PowerShell.SCRIPTS) {
      assertThat(code(name)).as(name).doesNotContainPattern(
          "(?i)Invoke-Expression|\\biex\\b|Add-Type|EncodedCommand|ScriptBlock\\]::Create|NewScriptBlock|Start-Process|\\bcmd(\\.exe)?\\b");
    }
  }

  @Test
  void everyOperationTakesOneBase64ParameterAndRunsInsideTheErrorHandler() throws Exception {
    for (String name : OPERATIONS) {
      String code = code(name).strip();
      assertThat(code).as(name).startsWith("param([Parameter(Mandatory = $true)][string]$Params)\n"
          + STRICT
          + languageModeGuard(name) + "\n"
          + "Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force\n"
          + "Invoke-QubixMain {\n    $raw = ConvertFrom-QubixParams $Params\n");
      assertThat(code).as(name).endsWith("}");
    }
  }

  private static final String GUARD_START = "if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') { Write-Output (";

  private static String languageModeGuard(String name) throws Exception {
    return code(name).lines().filter(l -> l.startsWith(GUARD_START)).findFirst().orElse("(no language mode guard in " + name + ")");
  }

  /**
   * Item 7: Constrained Language Mode blocks [Console], New-Object and [System.IO.*], which the module
   * needs to print its error line. Every script checks LanguageMode first, before the module loads,
   * and reports through plain output a protocol error line Java parses.
   */
  @Test
  void everyScriptReportsConstrainedLanguageModeBeforeLoadingTheModule() throws Exception {
    String first = languageModeGuard("recreate.ps1");
    for (String name : OPERATIONS) {
      String guard = languageModeGuard(name);
      assertThat(guard).as(name).isEqualTo(first);
      assertThat(code(name).indexOf(guard)).as(name).isLessThan(code(name).indexOf("Import-Module"));
    }
    assertThat(first).doesNotContain("[Console]", "New-Object", "[System.", "ConvertTo-Json").endsWith("; exit 1 }");
    String line = first.substring(first.indexOf("('") + 2, first.lastIndexOf("')")).replace("' + $ExecutionContext.SessionState.LanguageMode + '", "ConstrainedLanguage");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring("::qubix-error::".length()));
    assertThat(json.path("category").asText()).isEqualTo("language-mode");
    assertThatThrownBy(() -> dev.qubix.hyperv.internal.HyperVProtocol.outcome("state.ps1", 1, List.of(line)))
        .isInstanceOf(dev.qubix.BackendUnavailableException.class).hasMessageContaining("ConstrainedLanguage mode");
  }

  /** Preferences are per session state: the module and every script set them for their own code. */
  @Test
  void theModuleSetsStrictErrorHandlingAndNoProgressNoise() throws Exception {
    assertThat(code("qubix.psm1")).contains(STRICT);
  }

  @Test
  void everyChangingScriptChecksRightsFirst() throws Exception {
    for (String name : List.of("recreate.ps1", "destroy.ps1", "power.ps1", "gc.ps1", "home.ps1")) {
      String code = code(name);
      int check = code.indexOf("Assert-QubixMayManageHyperV");
      assertThat(check).as(name).isPositive();
      for (String call : List.of("Hyper-V\\", "Get-QubixVm", "NetNat\\", "NetTCPIP\\", "Invoke-QubixStep")) {
        int first = code.indexOf(call);
        assertThat(first == -1 || first > check).as("%s: rights checked before the first %s", name, call).isTrue();
      }
    }
    assertThat(code("state.ps1")).doesNotContainPattern("(New|Set|Remove|Stop|Start|Add|Enable)-(?!StrictMode)\\w+");
  }

  @Test
  void integrationServicesAreFoundByGuidNotByTheirLocalizedName() throws Exception {
    assertThat(code("recreate.ps1")).contains("$KvpServiceId").contains("$ShutdownServiceId")
        .doesNotContainPattern("Key-Value Pair|-Name 'Shutdown'|Guest Service");
  }

  private static final Pattern INT_RULE = Pattern.compile(
      "^\\s*(?:if \\((.+?)\\) \\{ )?(?:\\$p\\.)?(\\w+) = Get-QubixInt \\$raw '(\\w+)' (\\d+) (\\d+)(?: -MultipleOf (\\d+))?(?: \\})?$");

  /** Item 1 and 8 of the Hyper-V review: Java's mirror of the script's integer rules is exact. */
  @Test
  void recreateIntegerRulesAreExactlyTheOnesJavaMirrors() throws Exception {
    List<String> script = new java.util.ArrayList<>();
    for (String line : code("recreate.ps1").lines().toList()) {
      if (line.contains("Get-QubixInt")) {
        Matcher m = INT_RULE.matcher(line);
        assertThat(m.matches()).as("one Get-QubixInt call per line, optionally behind one if: %s", line).isTrue();
        assertThat(m.group(2)).isEqualTo(m.group(3));
        script.add(m.group(3) + " " + m.group(4) + ".." + m.group(5) + " x" + (m.group(6) == null ? "1" : m.group(6))
            + " when " + m.group(1));
      }
    }
    List<String> java = RecreateParamRules.RECREATE.stream()
        .map(r -> r.name() + " " + r.min() + ".." + r.max() + " x" + r.multipleOf() + " when " + r.when()).toList();
    assertThat(script).containsExactlyInAnyOrderElementsOf(java);
  }

  /** Item 1: homeDisk.enable = false (or no homeDisk section) once sent homeSizeBytes = 0, refused by the script. */
  @Test
  void everyPlannedRecreatePassesTheScriptsIntegerRules() {
    for (var manifest : Fixtures.allShapes()) {
      for (boolean home : List.of(true, false)) {
        var plan = HyperVPlanner.recreate(manifest, Fixtures.images(home), HostState.unknown(), HyperVPlannerTest.SOURCE,
            home ? HyperVPlannerTest.HOME : null);
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) plan.steps().get(0).details().get("params");
        assertThat(RecreateParamRules.violations(params)).as("%s, home image %s", manifest.homeDisk(), home).isEmpty();
        var backedUp = HyperVPlanner.recreate(manifest, Fixtures.images(home), HostState.unknown(), HyperVPlannerTest.SOURCE,
            home ? HyperVPlannerTest.HOME : null, dev.qubix.spi.HomeRequest.BeforeRecreate.DEFAULT, java.time.Instant.EPOCH);
        @SuppressWarnings("unchecked")
        Map<String, Object> backupParams = (Map<String, Object>) backedUp.steps().get(0).details().get("params");
        assertThat(RecreateParamRules.violations(backupParams)).as("%s with a backup first", manifest.homeDisk()).isEmpty();
      }
    }
  }

  @Test
  void theMirroredRulesCatchWhatTheScriptWouldRefuse() {
    Map<String, Object> p = new java.util.HashMap<>(Map.of("homeDisk", true, "homeSizeBytes", 0L, "network", "dhcp"));

    assertThat(RecreateParamRules.violations(p)).anyMatch(v -> v.startsWith("parameter homeSizeBytes must be"));
    p.put("homeDisk", false);
    p.put("memoryStartupBytes", 2148532224L);
    assertThat(RecreateParamRules.violations(p)).anyMatch(v -> v.equals(
        "parameter memoryStartupBytes must be a multiple of 2097152, is 2148532224"));
  }

  /** The body of a module function, up to its closing brace in column 0. */
  private static String function(String name) throws Exception {
    String c = code("qubix.psm1");
    int start = c.indexOf("function " + name + " {");
    assertThat(start).as("function %s", name).isNotNegative();
    return c.substring(start, c.indexOf("\n}\n", start) + 2);
  }

  /**
   * Issue 19: the private folders' ACL names every principal by SID. Names are localized
   * ("Administratoren", "Système"), so an NTAccount lookup fails or finds nothing on another language.
   */
  @Test
  void theAclIsBuiltFromWellKnownSidsNeverFromAccountNames() throws Exception {
    String acl = function("New-QubixAccessRule") + function("Get-QubixPrivateAcl") + function("Set-QubixPrivateFolder")
        + function("Assert-QubixMayMakePrivate") + function("Test-QubixPrivateFolder");
    assertThat(acl).contains("New-Object System.Security.Principal.SecurityIdentifier $Sid")
        .contains("$wanted.SetAccessRuleProtection($true, $false)")
        .contains("@($script:SystemSid, $script:AdministratorsSid, $script:HyperVAdministratorsSid, $me)")
        .contains("WindowsIdentity]::GetCurrent().User.Value");
    for (String name : PowerShell.SCRIPTS) {
      assertThat(codeWithoutStrings(name)).as(name).doesNotContain("NTAccount").doesNotContainPattern("(?i)icacls|takeown");
      assertThat(code(name)).as(name).doesNotContainPattern("(?i)'(BUILTIN|NT AUTHORITY|NT VIRTUAL MACHINE)\\\\|'(Administrators|SYSTEM|Everyone|Users)'");
    }
    String module = code("qubix.psm1");
    assertThat(module).contains("$script:SystemSid = 'S-1-5-18'", "$script:AdministratorsSid = 'S-1-5-32-544'",
        "$script:HyperVAdministratorsSid = 'S-1-5-32-578'", "$script:VirtualMachinesSid = 'S-1-5-83-0'");
    // every access rule goes through the one function that takes a SID
    assertThat(module.split("FileSystemAccessRule", -1)).hasSize(2);
    assertThat(code("recreate.ps1")).contains("Set-QubixPrivateFolder $p.vmRoot", "Set-QubixPrivateFolder $vmDir",
        "Set-QubixPrivateFolder (Join-Path $p.vmRoot 'images') @($VirtualMachinesSid)");
  }

  /**
   * Issue 19: the secret reaches the scripts on stdin, is checked like a parameter, and goes nowhere
   * but the KVP item: no output line, no error message, no parameter carries it.
   */
  @Test
  void theSecretTravelsOnStdinAndOnlyIntoTheKvpItem() throws Exception {
    assertThat(function("Read-QubixSecret")).contains("$line = [Console]::In.ReadLine()")
        .contains("-cnotmatch '^[A-Za-z0-9_-]{22,128}$'").doesNotContain("$line\"").doesNotContain("$($line");
    assertThat(RdpSecretShape.FORMAT).isEqualTo("[A-Za-z0-9_-]{22,128}");
    for (String name : List.of("recreate.ps1", "power.ps1")) {
      String code = code(name);
      assertThat(code).as(name).contains("Get-QubixChoice $raw 'rdpSecret' @('stdin')").contains("$rdpSecret = Read-QubixSecret");
      for (String line : code.lines().filter(l -> l.contains("$rdpSecret")).toList()) {
        assertThat(line.strip()).as("%s: %s", name, line.strip())
            .matches("(\\$rdpSecret = \\$null|\\$rdpSecret = Read-QubixSecret|if \\(\\$p\\.action -eq 'start'\\) \\{ \\$rdpSecret = Read-QubixSecret \\}"
                + "|Set-QubixKvpItem .* \\$KvpSecretKey \\$rdpSecret)");
      }
    }
    for (String name : PowerShell.SCRIPTS) {
      assertThat(code(name)).as(name).doesNotContainPattern("(?i)Get-QubixValue \\$raw '(rdpPassword|password|secret)'");
    }
    assertThat(function("Set-QubixKvpItem")).contains("$item.Source = 0").contains("AddKvpItems").contains("ModifyKvpItems")
        .contains("Msvm_ComputerSystem -Filter (\"Name='\"").doesNotContain("ElementName");
    assertThat(code("qubix.psm1")).contains("$script:KvpSecretKey = '" + HyperVPlanner.KVP_KEY + "'");
  }

  /** The shape the scripts accept is exactly the one core's RdpSecret makes. */
  private static final class RdpSecretShape {
    static final String FORMAT = dev.qubix.spi.RdpSecret.FORMAT.pattern();
  }

  /** recreate.ps1 knows exactly the steps the planner can ask for: none can be skipped silently. */
  @Test
  void recreateScriptKnowsEveryStepThePlannerEmits() throws Exception {
    Matcher m = Pattern.compile("\\$known = @\\(([^)]*)\\)").matcher(code("recreate.ps1"));
    assertThat(m.find()).isTrue();
    Set<String> known = new LinkedHashSet<>();
    Matcher id = Pattern.compile("'([a-z-]+)'").matcher(m.group(1));
    while (id.find()) {
      known.add(id.group(1));
    }
    Set<String> planned = new LinkedHashSet<>();
    for (var manifest : List.of(Fixtures.dhcp(), Fixtures.dhcpWithoutHomeImage(), Fixtures.staticIp())) {
      for (boolean home : List.of(true, false)) {
        HyperVPlanner.recreate(manifest, Fixtures.images(home), HostState.unknown(), HyperVPlannerTest.SOURCE,
            home ? HyperVPlannerTest.HOME : null).steps().stream().map(Step::id).forEach(planned::add);
        HyperVPlanner.recreate(manifest, Fixtures.images(home), HostState.unknown(), HyperVPlannerTest.SOURCE,
            home ? HyperVPlannerTest.HOME : null, new dev.qubix.spi.HomeRequest.BeforeRecreate(
                dev.qubix.spi.HomeRequest.BeforeRecreate.When.ALWAYS, 2), java.time.Instant.EPOCH)
            .steps().stream().map(Step::id).forEach(planned::add);
        HyperVPlanner.recreate(manifest, Fixtures.images(home), HostState.unknown(), HyperVPlannerTest.SOURCE,
            home ? HyperVPlannerTest.HOME : null, dev.qubix.spi.HomeRequest.BeforeRecreate.NEVER, java.time.Instant.EPOCH,
            dev.qubix.HomeMode.DISPOSABLE).steps().stream().map(Step::id).forEach(planned::add);
      }
    }
    assertThat(known).containsExactlyInAnyOrderElementsOf(planned);
    for (String step : known) {
      assertThat(code("recreate.ps1")).as("action for %s", step).contains("'" + step + "' = {");
    }
  }

  /**
   * Issue 15: home.ps1 performs every step its plans show, refuses (a running VM, an unknown or taken
   * name, a file that is not a disk) before the first one, and never leaves a half-written copy.
   */
  @Test
  void homeScriptPerformsEveryPlannedStepAndRefusesBeforeTheFirst() throws Exception {
    String c = code("home.ps1");
    var h = dev.qubix.spi.HomeRequest.backup("b");
    var f = dev.qubix.spi.HomeRequest.file(java.nio.file.Path.of("/x"));
    java.time.Instant now = java.time.Instant.parse("2025-01-02T03:04:05Z");
    for (var op : List.of(dev.qubix.Operation.HOME_BACKUP, dev.qubix.Operation.HOME_RESTORE, dev.qubix.Operation.HOME_DELETE,
        dev.qubix.Operation.HOME_EXPORT, dev.qubix.Operation.HOME_IMPORT)) {
      boolean file = op == dev.qubix.Operation.HOME_EXPORT || op == dev.qubix.Operation.HOME_IMPORT;
      var plan = HyperVPlanner.home(Fixtures.dhcp(), op, file ? f : h, now, file ? "E:\\home.vhdx" : null);
      for (Step s : plan.steps()) {
        assertThat(c).as("%s: the step %s", op, s.id()).contains("Invoke-QubixStep -Id '" + s.id() + "'");
      }
    }
    int first = c.indexOf("Invoke-QubixStep");
    Matcher refusal = Pattern.compile("Stop-Qubix(Param)? ").matcher(c);
    while (refusal.find()) {
      assertThat(refusal.start()).as("a refusal inside a step: %s", c.substring(refusal.start(), c.indexOf('\n', refusal.start())))
          .isLessThan(first);
    }
    assertThat(c.indexOf("Assert-QubixOwnsVm")).isPositive().isLessThan(first);
    assertThat(c).contains("-Category 'vm-running' -Fix \"stop it first").contains("Hyper-V\\Test-VHD -Path $p.file")
        .contains("$info.VhdFormat").contains("'Differencing'")
        // the current home stays under its name until one ReplaceFile call switches it
        .contains("New-Item -ItemType HardLink").contains("[System.IO.File]::Replace($newHome, $homeDisk, [NullString]::Value)");
    // copies go to a temporary name, renamed when whole, the description before the rename
    String complete = function("Complete-QubixBackup");
    assertThat(complete.indexOf("Write-QubixBackupDescription")).isLessThan(complete.indexOf("Move-Item"));
    assertThat(function("Get-QubixPartialBackup")).contains("'.partial'");
    assertThat(function("Copy-QubixDisk")).contains("Hyper-V\\Convert-VHD -Path $Source -DestinationPath $Destination")
        .contains("Write-QubixBytes -What $What -Done ([long]($total * $last.PercentComplete / 100)) -Total $total")
        .containsPattern("\\} catch \\{\\s+if \\(Test-Path -LiteralPath \\$Destination\\) \\{ Remove-Item -LiteralPath \\$Destination");
    // room for the copy, checked before the first step, for every operation that copies
    assertThat(c).contains("Assert-QubixFreeSpace $homeDisk $backups", "Assert-QubixFreeSpace $backup $vmDir",
        "Assert-QubixFreeSpace $p.file $vmDir", "Assert-QubixFreeSpace $homeDisk $p.file");
    assertThat(c.lastIndexOf("Assert-QubixFreeSpace")).isLessThan(first);
    assertThat(function("Get-QubixBackupName")).contains("'^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'").contains("Contains('..')");
  }

  /**
   * Issue 15: in disposable mode the VM's home drive is the overlay (a differencing VHDX whose parent
   * Hyper-V opens read-only), attached in create-vm and again at each start; stop and destroy delete it.
   */
  @Test
  void aDisposableVmNeverHasItsHomeDiskAttached() throws Exception {
    String recreate = code("recreate.ps1");
    assertThat(recreate).contains("if ($disposable) { $homeDrive = Get-QubixHomeOverlay $vmDir $p.vmName }")
        .contains("-ControllerLocation 1 -Path $homeDrive").doesNotContain("-ControllerLocation 1 -Path $homeDisk");
    assertThat(function("New-QubixHomeOverlay")).contains("Hyper-V\\New-VHD -Path $overlay -ParentPath $Parent -Differencing");
    String power = code("power.ps1");
    assertThat(power).contains("$overlay = New-QubixHomeOverlay $vmDir $p.vmName $parent")
        .contains("Hyper-V\\Set-VMHardDiskDrive -VMHardDiskDrive $drive -Path $overlay");
    assertThat(power.indexOf("New-QubixHomeOverlay")).isLessThan(power.indexOf("Hyper-V\\Start-VM"));
    for (String name : List.of("power.ps1", "destroy.ps1")) {
      assertThat(code(name)).as(name).contains("$overlay = Get-QubixHomeOverlay $vmDir $p.vmName")
          .contains("Remove-Item -LiteralPath $overlay -Force");
    }
  }
}
