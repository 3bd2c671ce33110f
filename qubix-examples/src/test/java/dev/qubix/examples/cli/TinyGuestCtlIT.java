package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.testing.Requires;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * qubixctl on the tiny guest (microvm backend): one VM for the whole class, driven as a user
 * would, on a real pseudo-terminal where the progress line matters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TinyGuestCtlIT {
  @TempDir static Path tmp;
  Path state;
  Path flake;
  Map<String, String> env;

  @BeforeAll
  void tinyGuest() {
    Requires.tool("script");
    flake = TinyGuest.flake(tmp.resolve("tiny-flake"));
    state = tmp.resolve("state");
    env = Map.of("NIX_CONFIG", TinyGuest.NIX_CONFIG, "QUBIX_FLAKE", flake.toString(), "QUBIX_BACKEND", "microvm");
  }

  @AfterAll
  void destroy() throws Exception {
    if (state != null && Files.isDirectory(state)) {
      QubixCtlProcess.run(state, env, "destroy", "--purge", "tiny");
    }
  }

  private QubixCtlProcess.Result run(String... args) throws Exception {
    return QubixCtlProcess.run(state, env, args);
  }

  @Test
  @Order(1)
  void upOnATerminalEndsEveryProgressLineBeforeTheResult() throws Exception {
    Files.createDirectories(state);

    QubixCtlProcess.Result r = QubixCtlProcess.onTerminal(state, env, "up", "tiny");

    List<String> screen = TerminalScreen.of(r.stdout());
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(screen).as(r.stdout()).anyMatch(l -> l.startsWith("qubix-tiny: running on microvm"));
    assertThat(screen).as(r.stdout()).noneMatch(l -> l.matches(".+qubix-tiny: running.*"));
  }

  @Test
  @Order(2)
  void connectOnATerminalPrintsTheEndpointOnItsOwnLine() throws Exception {
    QubixCtlProcess.Result r = QubixCtlProcess.onTerminal(state, env, "connect", "--no-client", "--timeout", "120", "tiny");

    List<String> screen = TerminalScreen.of(r.stdout());
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(r.stdout()).as("the wait drew its transient line").contains("\033[2K| waiting for RDP");
    assertThat(screen).as(r.stdout()).anyMatch(l -> l.startsWith("tiny: RDP ready at "));
    assertThat(screen).as(r.stdout()).noneMatch(l -> l.contains("waiting for") && l.contains("RDP ready"));
    assertThat(screen).as(r.stdout()).noneMatch(l -> l.matches(".*\\(\\d+ s of \\d+ s\\).+"));
  }

  @Test
  @Order(3)
  void lsShowsTheRunningTinyGuestWithItsMachineAddressHomeModeAndImage() throws Exception {
    QubixCtlProcess.Result r = run("ls");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> lines = r.stdout().lines().toList();
    assertThat(lines.get(0)).matches("MACHINE +VM +BACKEND +STATE +ADDRESS +HOME +MODE +IMAGE");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).matches("tiny +qubix-tiny +microvm +running +127\\.0\\.0\\.1:\\d+ +yes +debug +\\w{8}…-qubix-tiny-direct");
  }

  @Test
  @Order(4)
  void lsJsonHasOneObjectPerVm() throws Exception {
    QubixCtlProcess.Result r = run("--json", "ls");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.stdout());
    assertThat(list.size()).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode vm = list.get(0);
    assertThat(vm.path("machine").asText()).isEqualTo("tiny");
    assertThat(vm.path("vmName").asText()).isEqualTo("qubix-tiny");
    assertThat(vm.path("backend").asText()).isEqualTo("microvm");
    assertThat(vm.path("state").asText()).isEqualTo("running");
    assertThat(vm.path("rdp").asText()).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(vm.path("home").asText()).isEqualTo(state.resolve("qubix-tiny/home.qcow2").toString());
    assertThat(vm.path("mode").asText()).isEqualTo("debug");
    assertThat(vm.path("imageVersion").asText()).startsWith("/nix/store/").endsWith("-qubix-tiny-direct");
    assertThat(vm.path("uptimeSeconds").isNumber()).isTrue();
  }

  @Test
  @Order(5)
  void logsPrintsTheSerialConsoleAndLinesItsTail() throws Exception {
    QubixCtlProcess.Result all = run("logs", "tiny");
    QubixCtlProcess.Result last = run("logs", "--lines", "1", "tiny");

    assertThat(all.exitCode()).as(all.stderr()).isZero();
    assertThat(all.stdout()).contains("QUBIX-BOOT-COUNT=1").contains("QUBIX-READY");
    assertThat(last.exitCode()).as(last.stderr()).isZero();
    assertThat(last.stdout().strip()).isEqualTo("QUBIX-READY");
  }

  @Test
  @Order(6)
  void logsFollowPrintsWhatTheGuestWritesUntilTheVmStops() throws Exception {
    java.util.concurrent.CompletableFuture<QubixCtlProcess.Result> follow = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> {
          try {
            return run("logs", "-f", "tiny");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    Thread.sleep(3000);

    QubixCtlProcess.Result stop = run("stop", "tiny");
    QubixCtlProcess.Result followed = follow.get(2, java.util.concurrent.TimeUnit.MINUTES);

    assertThat(stop.exitCode()).as(stop.stderr()).isZero();
    assertThat(followed.exitCode()).as(followed.stderr()).isZero();
    assertThat(followed.stdout()).contains("QUBIX-READY").contains("QUBIX-POWEROFF");
  }

  @Test
  @Order(7)
  void lsShowsTheStoppedVm() throws Exception {
    QubixCtlProcess.Result r = run("ls");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout().lines().toList().get(1)).matches("tiny +qubix-tiny +microvm +stopped +127\\.0\\.0\\.1:\\d+ .*");
  }
}
