package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qubixctl as a process: exit codes per class of failure, JSON outputs, no stack traces for bad input. */
class QubixCtlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Path state;
  Path v2;

  @BeforeEach
  void setUp() throws Exception {
    state = Files.createDirectories(tmp.resolve("state"));
    v2 = tmp.resolve("spotibox-v2.json");
    try (InputStream in = getClass().getResourceAsStream("/spotibox-v2.json")) {
      Files.copy(in, v2);
    }
  }

  private QubixCtlProcess.Result run(String... args) throws Exception {
    return QubixCtlProcess.run(state, Map.of(), args);
  }

  @Test
  void manifestOfASchemaVersion2FilePrintsTheNormalizedV3Machine() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--json", "manifest", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode m = JSON.readTree(r.stdout());
    assertThat(m.at("/network/mode").asText()).isEqualTo("static");
    assertThat(m.at("/network/staticIp").asText()).isEqualTo("192.168.250.10");
    assertThat(m.at("/network/natSwitchSubnet").asText()).isEqualTo("192.168.250.0/24");
    assertThat(m.at("/homeDisk/sizeMiB").asLong()).isEqualTo(16384);
    assertThat(m.at("/images/hyperv/package").asText()).isEqualTo("spotibox-vhdx");
    assertThat(m.has("password")).isFalse();
    assertThat(r.stdout()).doesNotContain("password");
  }

  @Test
  void manifestForPeopleIsASummary() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "manifest");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("spotibox (prod): VM qubix-spotibox").contains("static 192.168.250.10/24 via 192.168.250.1");
  }

  @Test
  void hypervPlanRunsOnLinuxAndShowsEachScriptWithItsDecodedParameters() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "hyperv", "--json", "plan", "recreate", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode plan = JSON.readTree(r.stdout());
    assertThat(plan.path("backend").asText()).isEqualTo("hyperv");
    assertThat(plan.path("operation").asText()).isEqualTo("recreate");
    JsonNode steps = plan.path("steps");
    assertThat(steps.size()).isGreaterThan(5);
    assertThat(steps.get(0).path("id").asText()).isEqualTo("switch-create");
    assertThat(steps.get(0).at("/details/script").asText()).isEqualTo("recreate.ps1");
    assertThat(steps.get(0).at("/details/params/subnet").asText()).isEqualTo("192.168.250.0/24");
    assertThat(steps.get(0).at("/details/params/vmRoot").asText()).isEqualTo("C:\\HyperV\\Qubix");
  }

  @Test
  void planForPeopleIsNumbered() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "hyperv", "plan", "destroy");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).startsWith("destroy spotibox on hyperv:").contains("  1. turn off and remove the VM qubix-spotibox");
  }

  @Test
  void backendsJsonListsEveryProviderWithItsAvailability() throws Exception {
    QubixCtlProcess.Result r = run("--json", "backends");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode list = JSON.readTree(r.stdout());
    assertThat(list.isArray()).isTrue();
    assertThat(list.findValuesAsText("name")).contains("hyperv", "microvm", "nspawn");
    for (JsonNode b : list) {
      assertThat(b.has("name") && b.has("priority") && b.has("available")).isTrue();
      assertThat(b.has("reason") || b.has("detail")).isTrue();
    }
  }

  @Test
  void hostileMachineNamesExitWith2AndOneLine() throws Exception {
    for (String name : new String[] {"../../etc", "a;rm -rf /", "$(id)", "spoti box", "", "-", "x".repeat(200), "名前"}) {
      QubixCtlProcess.Result r = run("--manifest", v2.toString(), "status", name);

      assertThat(r.exitCode()).as("name %s: %s", name, r.stderr()).isEqualTo(2);
      assertThat(r.stderr().strip().lines().count()).as(r.stderr()).isEqualTo(1);
      assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void invalidManifestExitsWith2NamingTheField() throws Exception {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, Files.readString(v2).replace("\"cpuCount\": 2", "\"cpuCount\": 0"));

    QubixCtlProcess.Result r = run("--manifest", bad.toString(), "manifest");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("/machines/spotibox/cpuCount: 0 is out of range: 1..64").doesNotContain("\tat ");
  }

  /** Hyper-V review item 8: refused before any plan, not by New-VM after the old VM is gone. */
  @Test
  void hypervPlanOfMemoryThatIsNotAMultipleOf2MiBExitsWith2NamingTheField() throws Exception {
    Path bad = tmp.resolve("odd-memory.json");
    Files.writeString(bad, Files.readString(v2).replace("\"memoryStartupBytes\": 2147483648", "\"memoryStartupBytes\": 2148532224"));

    QubixCtlProcess.Result r = run("--manifest", bad.toString(), "--backend", "hyperv", "plan", "recreate", "spotibox");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
    assertThat(r.stderr()).contains("/machines/spotibox/memoryStartupBytes: 2148532224 is not a multiple of 2 MiB")
        .doesNotContain("\tat ");
  }

  @Test
  void missingManifestFileExitsWith2() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", tmp.resolve("nope.json").toString(), "manifest");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("cannot read manifest");
  }

  @Test
  void unknownOptionOrCommandExitsWith2() throws Exception {
    assertThat(run("--frobnicate", "status").exitCode()).isEqualTo(2);
    assertThat(run("explode").exitCode()).isEqualTo(2);
  }

  @Test
  void unknownBackendExitsWith2ListingTheKnownOnes() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "vbox", "status");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("unknown backend 'vbox'").contains("microvm");
  }

  @Test
  void unusableBackendExitsWith3() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "nspawn", "up");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(3);
    assertThat(r.stderr()).contains("nspawn");
  }

  @Test
  void operationThatFailsExitsWith1() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "microvm", "start", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
    assertThat(r.stderr()).endsWith("qubixctl: spotibox: no VM exists yet; run 'qubixctl up spotibox' first\n")
        .doesNotContain("\tat ");
  }

  @Test
  void statusJsonOfAMissingVmSaysAbsent() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "microvm", "--json", "status", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode s = JSON.readTree(r.stdout());
    assertThat(s.path("machine").asText()).isEqualTo("spotibox");
    assertThat(s.path("state").asText()).isEqualTo("absent");
  }

  @Test
  void destroyOfAMissingVmSaysNothingToDestroy() throws Exception {
    QubixCtlProcess.Result r = run("--manifest", v2.toString(), "--backend", "microvm", "destroy", "spotibox");
    QubixCtlProcess.Result json = run("--manifest", v2.toString(), "--backend", "microvm", "--json", "destroy", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("spotibox: nothing to destroy (no VM)\n");
    assertThat(json.exitCode()).as(json.stderr()).isZero();
    assertThat(JSON.readTree(json.stdout()).path("destroyed").asBoolean(true)).isFalse();
  }

  @Test
  void verboseShowsTheStackTrace() throws Exception {
    QubixCtlProcess.Result r = run("-v", "--manifest", tmp.resolve("nope.json").toString(), "manifest");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("\tat ");
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() throws Exception {
    QubixCtlProcess.Result r = run("--help");

    assertThat(r.exitCode()).isZero();
    for (String c : new String[] {"build", "up", "recreate", "start", "stop", "status", "destroy", "connect", "plan",
        "manifest", "backends", "gc"}) {
      assertThat(r.stdout()).contains(c);
    }
    assertThat(r.stdout()).contains("Exit codes:").containsPattern("3 +no usable backend");
  }
}
