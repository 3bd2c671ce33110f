package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Endpoint;
import dev.qubix.InstanceStatus.State;
import dev.qubix.QubixException;
import dev.qubix.hyperv.internal.HyperVPaths;
import dev.qubix.hyperv.internal.HyperVProtocol;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.hyperv.internal.VmStates;
import dev.qubix.spi.Availability;
import dev.qubix.spi.HostInfo;
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
  void errorLineBecomesAnExceptionWithTheFix() {
    assertThatThrownBy(() -> HyperVProtocol.outcome("recreate.ps1", 1, List.of("noise",
        "::qubix-error::{\"message\":\"You do not have the required permission\",\"category\":\"permission\",\"fix\":\"Run elevated\"}")))
        .isInstanceOfSatisfying(HyperVScriptException.class, e -> assertThat(e.category()).isEqualTo("permission"))
        .hasMessage("recreate.ps1: You do not have the required permission — Run elevated");
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

  @Test
  void wmiEnabledStateCodesMapToStates() {
    Map<Integer, State> table = Map.of(2, State.RUNNING, 3, State.STOPPED, 4, State.STOPPING, 6, State.SAVED,
        9, State.PAUSED, 10, State.STARTING, 32768, State.UNKNOWN, 1, State.UNKNOWN);
    table.forEach((code, state) -> assertThat(VmStates.fromEnabledState(code)).as("code %d", code).isEqualTo(state));
    assertThat(VmStates.fromName("Running")).isEqualTo(State.RUNNING);
    assertThat(VmStates.fromName("Off")).isEqualTo(State.STOPPED);
    assertThat(VmStates.fromName("Wird ausgeführt")).isEqualTo(State.UNKNOWN);
  }

  @Test
  void rdpFileForTheVmFolder() {
    var m = Fixtures.staticIp();
    assertThat(HyperVPaths.of(m).rdpFile()).isEqualTo("C:\\HyperV\\Qubix\\qubix-spotibox\\qubix-spotibox.rdp");
    assertThat(RdpFile.render(m, new Endpoint("192.168.250.10", 3389)))
        .startsWith("full address:s:192.168.250.10\r\nusername:s:rdp\r\n")
        .contains("audiomode:i:0\r\n").contains("authentication level:i:0\r\n").doesNotContain("password");
  }

  @Test
  void probeOnLinuxSaysHyperVNeedsWindowsWithoutStartingAnything() {
    Availability a = new HyperVBackendProvider().probe(new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of()));

    assertThat(a).isInstanceOf(Availability.Unavailable.class);
    assertThat(a.toString()).isEqualTo("Hyper-V needs Windows — use the microvm backend on Linux");
  }
}
