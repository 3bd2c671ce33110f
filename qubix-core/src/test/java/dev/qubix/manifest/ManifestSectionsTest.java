package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.qubix.ManifestException;
import dev.qubix.ManifestException.Violation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Core reads the common fields; every other top-level field of a machine is a section, kept as
 * written for the backend that owns it, whose rules are reported together with core's.
 */
class ManifestSectionsTest {
  private static final String BASE = ManifestReaderTest.resource("spotibox-v3.json");
  private static final String P = "/machines/spotibox";

  @Test
  void everyFieldCoreDoesNotReadIsASectionWithItsPointer() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox");

    assertThat(m.sections()).containsOnlyKeys("hyperv", "futureField");
    assertThat(m.section("hyperv")).get().extracting(ManifestSection::pointer).isEqualTo(P + "/hyperv");
    assertThat(m.section("futureField").orElseThrow().cursor().get("added").text()).isEqualTo("by a newer flake");
    assertThat(m.section("microvm")).isEmpty();
  }

  @Test
  void aBrokenSectionIsNotCoresToReject() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": {\"generation\": 3}}");

    assertThat(m.section("hyperv").orElseThrow().cursor().get("generation").integer(1, 2, 2)).isNull();
  }

  @Test
  void backendRulesAreReportedWithCoresInOneException() {
    ManifestRules rules = machine -> {
      FieldCursor h = machine.section("hyperv").orElseThrow().cursor();
      h.get("generation").integer(1, 2, 2);
      return h.violations();
    };

    ManifestException e = catchThrowableOfType(ManifestException.class, () ->
        ManifestReader.read(BASE, "spotibox", "{\"cpuCount\": 0, \"hyperv\": {\"generation\": 3}}", rules));

    assertThat(e.violations()).containsExactly(new Violation(P + "/cpuCount", "0 is out of range: 1..64"),
        new Violation(P + "/hyperv/generation", "3 is out of range: 1..2"));
    assertThat(e.getMessage()).startsWith("2 problems in the manifest:");
  }

  @Test
  void rulesSeeTheMachineEvenWhenCoreFoundProblemsWithTheBrokenFieldNull() {
    List<MachineManifest> seen = new ArrayList<>();

    assertThatThrownBy(() -> ManifestReader.read(BASE, "spotibox", "{\"memoryStartupBytes\": 1}", m -> {
      seen.add(m);
      return List.of();
    })).isInstanceOf(ManifestException.class).hasMessageStartingWith(P + "/memoryStartupBytes: 1 is out of range");

    assertThat(seen).singleElement().satisfies(m -> {
      assertThat(m.memoryStartup()).isNull();
      assertThat(m.section("hyperv")).isPresent();
    });
  }

  @Test
  void noRulesIsTheThreeArgumentRead() {
    assertThat(ManifestReader.read(BASE, "spotibox", (String) null, ManifestRules.NONE))
        .isEqualTo(ManifestReader.read(BASE, "spotibox", null));
  }

  @Test
  void writerKeepsSectionsAsTheyWereRead() throws Exception {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": {\"extra\": [1, 2]}}");

    MachineManifest again = ManifestReader.read(ManifestWriter.toDocument(m), "spotibox");

    assertThat(again.sections()).isEqualTo(m.sections());
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(ManifestWriter.toJson(again)).at("/hyperv/extra/1").intValue()).isEqualTo(2);
  }

  @Test
  void aSectionIsAnImmutableValue() {
    ManifestSection s = ManifestReader.read(BASE, "spotibox").section("hyperv").orElseThrow();

    assertThat(s).isEqualTo(ManifestReader.read(BASE, "spotibox").section("hyperv").orElseThrow());
    assertThat(s.name()).isEqualTo("hyperv");
    assertThat(s.cursor().violations()).isEmpty();
  }
}
