package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.qubix.ManifestException;
import dev.qubix.hyperv.internal.HyperVPlanner;
import dev.qubix.hyperv.internal.HyperVSettings;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.manifest.ManifestRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hyperv section and Hyper-V's limits are the Hyper-V backend's rules: one failing example per
 * rule, each with the message a user sees, reported with core's when the manifest is read.
 */
class HyperVManifestRulesTest {
  /** The same manifest as core's ValidationRulesTest (qubix-core's test resources). */
  private static final String BASE = resource("/manifests/spotibox-v3.json");
  private static final String P = "/machines/spotibox";
  private static final ManifestRules HYPERV = new HyperVBackendProvider().manifestRules();

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of("{\"memoryStartupBytes\": 2148532224}", P + "/memoryStartupBytes: 2148532224 is not a multiple of 2 MiB (2097152), which Hyper-V requires: use 2147483648 or 2149580800"),
        Arguments.of("{\"maxMemoryBytes\": 6442451968}", P + "/maxMemoryBytes: 6442451968 is not a multiple of 2 MiB (2097152), which Hyper-V requires"),
        Arguments.of("{\"hyperv\": {\"vmRoot\": \"HyperV\\\\Qubix\"}}", P + "/hyperv/vmRoot: 'HyperV\\Qubix' must be an absolute Windows path"),
        Arguments.of("{\"hyperv\": {\"vmRoot\": \"C:\\\\HyperV\\\\..\\\\Windows\"}}", P + "/hyperv/vmRoot: 'C:\\HyperV\\..\\Windows' must not contain '.' or '..' segments"),
        Arguments.of("{\"hyperv\": {\"vmRoot\": \"C:\\\\Hyper\\\"V\"}}", P + "/hyperv/vmRoot: 'C:\\Hyper\"V' contains a character Windows paths cannot hold"),
        Arguments.of("{\"hyperv\": {\"vmRoot\": \"C:\\\\Hyper\\u0000V\"}}", P + "/hyperv/vmRoot: contains a NUL character"),
        Arguments.of("{\"hyperv\": {\"switchName\": \"a\\nb\"}}", P + "/hyperv/switchName: 'a\\u000ab' is not a switch name"),
        Arguments.of("{\"hyperv\": {\"generation\": 3}}", P + "/hyperv/generation: 3 is out of range: 1..2"),
        Arguments.of("{\"hyperv\": {\"wslDistro\": \"Nix OS\"}}", P + "/hyperv/wslDistro: 'Nix OS' is not a WSL distribution name"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("rules")
  void rejectsWithPointerAndRule(String override, String expectedStart) {
    assertThatThrownBy(() -> ManifestReader.read(BASE, "spotibox", override, HYPERV))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(expectedStart);
  }

  /** The same manifests, read for another backend: the hyperv section is not core's to check. */
  @ParameterizedTest(name = "{1}")
  @MethodSource("rules")
  void anotherBackendDoesNotApplyThem(String override, String expectedStart) {
    assertThat(ManifestReader.read(BASE, "spotibox", override).name()).isEqualTo("spotibox");
  }

  /** A machine without a hyperv section (QEMU only) keeps any size, even with these rules. */
  @Test
  void memoryAlignmentIsRequiredOnlyForMachinesWithAHyperVSection() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": null, \"memoryStartupBytes\": 2148532224}", HYPERV);

    assertThat(m.memoryStartup().bytes()).isEqualTo(2148532224L);
  }

  @Test
  void aSectionThatIsNotAnObjectIsNamed() {
    assertThatThrownBy(() -> ManifestReader.read(BASE, "spotibox", "{\"hyperv\": \"C:\"}", HYPERV))
        .hasMessage(P + "/hyperv: must be an object");
  }

  @Test
  void coreAndHyperVProblemsComeTogether() {
    ManifestException e = catchThrowableOfType(ManifestException.class, () -> ManifestReader.read(BASE, "spotibox",
        "{\"cpuCount\": 0, \"memoryStartupBytes\": 2148532224, \"hyperv\": {\"generation\": 3}}", HYPERV));

    assertThat(e.violations()).extracting(ManifestException.Violation::pointer)
        .containsExactly(P + "/cpuCount", P + "/memoryStartupBytes", P + "/hyperv/generation");
    assertThat(e.getMessage()).startsWith("3 problems in the manifest:");
  }

  @Test
  void settingsAreReadWithTheirDefaults() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": {\"switchName\": null, \"generation\": null, "
        + "\"secureBoot\": null, \"wslDistro\": null}}", HYPERV);

    assertThat(HyperVSettings.require(m)).isEqualTo(new HyperVSettings("C:\\HyperV\\Qubix", "Default Switch", 2, false, "NixOS"));
  }

  /** A manifest read without the rules (before the engine passes them) still cannot reach PowerShell. */
  @Test
  void theBackendAppliesTheRulesToAManifestReadWithoutThem() {
    MachineManifest odd = ManifestReader.read(BASE, "spotibox", "{\"memoryStartupBytes\": 2148532224}");
    MachineManifest broken = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": {\"generation\": 3}}");

    assertThatThrownBy(() -> HyperVPlanner.requireHyperV(odd))
        .hasMessageStartingWith(P + "/memoryStartupBytes: 2148532224 is not a multiple of 2 MiB");
    assertThatThrownBy(() -> HyperVSettings.require(broken)).isInstanceOf(ManifestException.class)
        .hasMessage(P + "/hyperv/generation: 3 is out of range: 1..2");
  }

  private static String resource(String name) {
    try (var in = HyperVManifestRulesTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
