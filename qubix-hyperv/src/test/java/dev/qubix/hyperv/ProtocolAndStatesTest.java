package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus.State;
import dev.qubix.BackendUnavailableException;
import dev.qubix.QubixException;
import dev.qubix.hyperv.internal.Addresses;
import dev.qubix.hyperv.internal.HyperVPaths;
import dev.qubix.hyperv.internal.HyperVProtocol;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.hyperv.internal.VmStates;
import dev.qubix.hyperv.internal.WmiVmQuery;
import dev.qubix.spi.RdpFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolAndStatesTest {

  @Test
  void resultIsFoundAmongNoise() {
    var r = HyperVProtocol.outcome("state.ps1", 0, List.of("WARNING: something localized", "::qubix-step::{\"id\":\"x\",\"phase\":\"start\"}",
        "::qubix-result::{\"vmExists\":true}\r", "trailing noise"));

    assertThat(r.path("vmExists").asBoolean()).isTrue();
  }

  @Test
  void errorLineBecomesAnExceptionWithStepCategoryAndFix() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("recreate.ps1", 1, List.of("noise",
        "::qubix-step::{\"id\":\"wait-running\",\"phase\":\"start\"}",
        "::qubix-error::{\"message\":\"qubix-spotibox did not reach Running within 120 s\",\"category\":\"timeout\","
            + "\"fix\":\"look at the VM in Hyper-V Manager\",\"step\":\"wait-running\"}")))
        .isInstanceOfSatisfying(HyperVScriptException.class, e -> assertThat(e.category()).isEqualTo("timeout"))
        .hasMessage("recreate.ps1 at step wait-running: qubix-spotibox did not reach Running within 120 s — look at the VM in Hyper-V Manager");
  }

  @Test
  void permissionErrorMeansTheBackendIsUnavailable() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("power.ps1", 1, List.of(
        "::qubix-error::{\"message\":\"You do not have the required permission\",\"category\":\"permission\",\"fix\":\"Run elevated\"}")))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("power.ps1: You do not have the required permission — Run elevated");
  }

  @Test
  void theFirstResultCountsAndAnErrorWinsOverAResult() {
    var first = HyperVProtocol.outcome("state.ps1", 0, List.of("::qubix-result::{\"n\":1}", "::qubix-result::{\"n\":2}"));
    assertThat(first.path("n").asInt()).isEqualTo(1);

    assertThatThrownBy(() -> HyperVProtocol.outcome("gc.ps1", 0, List.of("::qubix-result::{}",
        "::qubix-error::{\"message\":\"late failure\"}"))).hasMessage("gc.ps1: late failure");
  }

  @Test
  void protocolLinesSurviveCrlfAndLeadingSpace() {
    var r = HyperVProtocol.outcome("state.ps1", 0, List.of("  ::qubix-result::{\"vmExists\":false}\r"));

    assertThat(r.path("vmExists").isBoolean()).isTrue();
  }

  @Test
  void emptyOutputWithExitZeroIsAnError() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("state.ps1", 0, List.of()))
        .isInstanceOf(QubixException.class).hasMessage("state.ps1 printed no result without an error line");
  }

  @Test
  void truncatedResultIsNotAResult() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("state.ps1", 0, List.of("::qubix-result::{\"vmExists\":tr")))
        .isInstanceOf(QubixException.class).hasMessageContaining("printed no result without an error line");
  }

  @Test
  void nonZeroExitWithoutErrorLineShowsTheNoise() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("power.ps1", 3, List.of("Get-VM : The term 'Get-VM' is not recognized")))
        .hasMessageContaining("power.ps1 exited with 3 without an error line").hasMessageContaining("is not recognized");
  }

  @Test
  void unknownMarkersAndMalformedLinesAreNoise() {
    var o = HyperVProtocol.parse(List.of("::qubix-weird::{}", "::qubix-result", "::qubix-result::[1]", "::qubix-bytes::{\"done\":1}"));

    assertThat(o.result()).isEmpty();
    assertThat(o.noise()).hasSize(3);
    assertThat(o.steps()).hasSize(1);
  }

  /** Msvm_ComputerSystem.EnabledState, the full table Hyper-V documents. */
  @Test
  void wmiEnabledStateCodesMapToStates() {
    Map<Integer, State> table = new java.util.LinkedHashMap<>();
    table.put(0, State.UNKNOWN);       // Unknown
    table.put(2, State.RUNNING);       // Enabled
    table.put(3, State.STOPPED);       // Disabled (off)
    table.put(4, State.STOPPING);      // Shutting down
    table.put(6, State.SAVED);         // Enabled but offline (saved)
    table.put(9, State.PAUSED);        // Quiesce (paused)
    table.put(10, State.STARTING);     // Starting
    table.put(32768, State.PAUSED);    // Paused
    table.put(32769, State.SAVED);     // Suspended
    table.put(32770, State.STARTING);  // Starting
    table.put(32771, State.UNKNOWN);   // Snapshotting
    table.put(32773, State.SAVED);     // Saving
    table.put(32774, State.STOPPING);  // Stopping
    table.put(32776, State.PAUSED);    // Pausing
    table.put(32777, State.STARTING);  // Resuming
    table.put(1, State.UNKNOWN);
    table.put(-1, State.UNKNOWN);
    table.forEach((code, state) -> assertThat(VmStates.fromEnabledState(code)).as("code %d", code).isEqualTo(state));
  }

  /** Get-VM's .State enum names are the same on every Windows language; descriptions are not. */
  @Test
  void vmStateEnumNamesMapToStatesAndLocalizedWordsDoNot() {
    Map<String, State> table = Map.of("Running", State.RUNNING, "Off", State.STOPPED, "Saved", State.SAVED,
        "Paused", State.PAUSED, "Starting", State.STARTING, "Stopping", State.STOPPING, "Saving", State.SAVED,
        "Pausing", State.PAUSED, "Resuming", State.STARTING, "Wird ausgeführt", State.UNKNOWN);
    table.forEach((name, state) -> assertThat(VmStates.fromName(name)).as(name).isEqualTo(state));
    assertThat(VmStates.fromName(null)).isEqualTo(State.UNKNOWN);
  }

  @Test
  void rdpFileGoesIntoTheVmFolderAndCarriesNoPassword() {
    var m = Fixtures.staticIp();
    assertThat(HyperVPaths.of(m).rdpFile()).isEqualTo("C:\\HyperV\\Qubix\\qubix-spotibox\\qubix-spotibox.rdp");
    assertThat(RdpFile.render(m, new Endpoint("192.168.250.10", 3389)))
        .startsWith("full address:s:192.168.250.10\r\nusername:s:rdp\r\n").doesNotContainIgnoringCase("password");
  }

  @Test
  void onlyReachableIpv4AddressesAreConnectedTo() {
    assertThat(Addresses.firstUsableIpv4(List.of("fe80::215:5dff:fe00:1", "169.254.10.1", "0.0.0.0", "300.1.1.1",
        "172.21.5.7", "10.0.0.2"))).contains("172.21.5.7");
    assertThat(Addresses.firstUsableIpv4(List.of("169.254.10.1"))).isEmpty();
  }

  @Test
  void wmiQueryTextHoldsOnlyAValidatedVmName() {
    assertThat(WmiVmQuery.condition("qubix-spotibox")).isEqualTo("ElementName='qubix-spotibox'");
    assertThatThrownBy(() -> WmiVmQuery.condition("x' OR Name LIKE '%")).isInstanceOf(IllegalArgumentException.class);
    assertThat(WmiVmQuery.uptimeMillis("123456")).isEqualTo(123456L);
    assertThat(WmiVmQuery.uptimeMillis(null)).isEqualTo(-1L);
  }
}
