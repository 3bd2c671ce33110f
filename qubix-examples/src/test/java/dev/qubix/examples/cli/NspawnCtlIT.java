package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.nspawn.NspawnBackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TinyContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * qubixctl --backend nspawn on the tiny container, as a user drives it: up (boot 1) → connect →
 * recreate (boot 2) → destroy keeping home → up (boot 3) → destroy --purge. Needs root,
 * systemd-nspawn and slirp4netns (skipped locally without, failed under CI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NspawnCtlIT {
  @TempDir static Path tmp;
  Path state;
  Map<String, String> env;

  @BeforeAll
  void tinyContainer() {
    var a = new NspawnBackendProvider().probe(HostInfo.current());
    Requires.that(a.isAvailable(), "the nspawn backend cannot run here: " + a);
    Path flake = TinyContainer.flake(tmp.resolve("flake"));
    state = tmp.resolve("state");
    env = Map.of("QUBIX_FLAKE", flake.toString(), "NIX_CONFIG", "substituters =\nexperimental-features = nix-command flakes");
  }

  @AfterAll
  void purge() throws Exception {
    if (state != null && Files.isDirectory(state)) {
      QubixCtlProcess.run(state, env, "--backend", "nspawn", "destroy", "--purge", "tiny");
    }
    assertThat(TinyContainer.processesUnder(state)).as("containers or slirp4netns left").isEmpty();
  }

  private QubixCtlProcess.Result nspawn(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--backend";
    all[1] = "nspawn";
    System.arraycopy(args, 0, all, 2, args.length);
    QubixCtlProcess.Result r = QubixCtlProcess.run(state, env, all);
    assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.stdout() + r.stderr()).isZero();
    return r;
  }

  private int homeBoots() throws Exception {
    return TinyContainer.homeBootCount(state, TinyContainer.VM_NAME);
  }

  @Test
  @Order(1)
  void backendsListsNspawnAvailableAndRankedBelowMicrovm() throws Exception {
    Files.createDirectories(state);
    JsonNode list = new ObjectMapper().readTree(QubixCtlProcess.run(state, env, "--json", "backends").stdout());

    JsonNode nspawn = null;
    JsonNode microvm = null;
    for (JsonNode b : list) {
      nspawn = b.path("name").asText().equals("nspawn") ? b : nspawn;
      microvm = b.path("name").asText().equals("microvm") ? b : microvm;
    }
    assertThat(nspawn.path("available").asBoolean()).as(nspawn.toString()).isTrue();
    assertThat(nspawn.path("detail").asText()).contains("ranked below microvm: a VM isolates better than a container");
    assertThat(nspawn.path("priority").asInt()).isLessThan(microvm.path("priority").asInt());
  }

  @Test
  @Order(2)
  void upBootsOnceAndConnectFindsTheRdpPort() throws Exception {
    QubixCtlProcess.Result up = nspawn("up", "tiny");
    QubixCtlProcess.Result connect = nspawn("connect", "--no-client", "--timeout", "60", "tiny");

    assertThat(up.stdout()).contains("qubix-tiny: running on nspawn");
    assertThat(connect.stdout()).contains("tiny: RDP ready at 127.0.0.1:");
    assertThat(homeBoots()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void recreateBootsAFreshSystemWithTheSameHome() throws Exception {
    nspawn("recreate", "tiny");
    nspawn("connect", "--no-client", "--timeout", "60", "tiny");

    assertThat(homeBoots()).isEqualTo(2);
    assertThat(nspawn("logs", "tiny").stdout()).contains("QUBIX-SYSTEM-MARKER=1").contains("QUBIX-READY");
  }

  @Test
  @Order(4)
  void destroyKeepsTheHomeAndUpBootsItAgain() throws Exception {
    nspawn("destroy", "tiny");

    assertThat(nspawn("status", "tiny").stdout()).doesNotContain("running");
    assertThat(state.resolve("qubix-tiny/home/qubix-boot-count")).hasContent("2\n");

    nspawn("up", "tiny");
    nspawn("connect", "--no-client", "--timeout", "60", "tiny");

    assertThat(homeBoots()).isEqualTo(3);
    assertThat(nspawn("ls").stdout()).containsPattern("tiny +qubix-tiny +nspawn +running +127\\.0\\.0\\.1:\\d+ +yes +debug");
  }

  @Test
  @Order(5)
  void purgeRemovesEverything() throws Exception {
    nspawn("destroy", "--purge", "tiny");

    assertThat(state.resolve("qubix-tiny")).doesNotExist();
    assertThat(TinyContainer.processesUnder(state)).isEmpty();
  }
}
