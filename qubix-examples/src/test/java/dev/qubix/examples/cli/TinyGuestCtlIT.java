package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.test.Requires;
import dev.qubix.test.TinyGuest;
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
}
