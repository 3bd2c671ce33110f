package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qubixctl home …}, {@code up --disposable} and their exit codes on the tiny guest, as a user runs them. */
class TinyGuestHomeCtlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static Path flake;
  @TempDir Path state;
  Map<String, String> env;

  @BeforeAll
  static void tinyGuest() {
    flake = TinyGuest.flake(tmp.resolve("tiny-flake"));
  }

  @AfterEach
  void purge() throws Exception {
    QubixCtlProcess.run(state, env, "destroy", "--purge", "tiny");
    assertThat(TinyGuest.qemuUnder(state)).as("QEMU left running").isEmpty();
  }

  private QubixCtlProcess.Result run(String... args) throws Exception {
    env = Map.of("NIX_CONFIG", TinyGuest.NIX_CONFIG, "QUBIX_FLAKE", flake.toString(), "QUBIX_BACKEND", "microvm");
    return QubixCtlProcess.run(state, env, args);
  }

  @Test
  void backupListRestoreDeleteExportAndImportWithTheirExitCodes() throws Exception {
    assertThat(run("up", "tiny").exitCode()).isZero();
    QubixCtlProcess.Result backup = run("home", "backup", "--name", "first", "tiny");
    assertThat(backup.exitCode()).as(backup.stderr()).isZero();
    assertThat(backup.stdout()).contains("tiny: home backed up as first");

    QubixCtlProcess.Result running = run("home", "restore", "first", "tiny");
    assertThat(running.exitCode()).as("restore while running").isEqualTo(QubixCtl.INVALID);
    assertThat(running.stderr()).contains("is running: stop it first");
    QubixCtlProcess.Result unknown = run("home", "restore", "nope", "tiny");
    assertThat(unknown.exitCode()).isEqualTo(QubixCtl.INVALID);
    assertThat(unknown.stderr()).contains("no backup named 'nope'");

    assertThat(run("stop", "tiny").exitCode()).isZero();
    Path notADisk = Files.writeString(tmp.resolve("text.vhdx"), "hello\n");
    QubixCtlProcess.Result bad = run("home", "import", notADisk.toString(), "tiny");
    assertThat(bad.exitCode()).as(bad.stderr()).isEqualTo(QubixCtl.INVALID);
    assertThat(bad.stderr()).contains("is not a vhdx disk image").contains("nothing was changed");

    assertThat(run("home", "restore", "first", "tiny").exitCode()).isZero();
    Path exported = state.resolveSibling(state.getFileName() + "-home.qcow2");
    assertThat(run("home", "export", exported.toString(), "tiny").exitCode()).isZero();
    assertThat(run("home", "import", exported.toString(), "tiny").exitCode()).isZero();

    QubixCtlProcess.Result list = run("--json", "home", "list", "tiny");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    JsonNode all = JSON.readTree(list.stdout());
    assertThat(all.size()).isEqualTo(3);
    assertThat(all.get(0).path("name").asText()).isEqualTo("first");
    assertThat(all.get(0).path("automatic").asBoolean()).isFalse();
    assertThat(all.get(0).path("sizeBytes").asLong()).isPositive();
    assertThat(all.get(0).path("imageVersion").asText()).startsWith("/nix/store/");
    assertThat(all.get(1).path("name").asText()).startsWith("before-restore-");
    assertThat(all.get(1).path("automatic").asBoolean()).isTrue();

    assertThat(run("home", "delete", "first", "tiny").exitCode()).isZero();
    assertThat(run("home", "list", "tiny").stdout()).doesNotContain("first ");
    Files.deleteIfExists(exported);
  }

  @Test
  void upDisposableShowsItInStatusAndAPersistentUpSwitchesBack() throws Exception {
    assertThat(run("up", "--disposable", "tiny").exitCode()).isZero();
    QubixCtlProcess.Result status = run("status", "tiny");
    assertThat(status.stdout()).contains("home disposable");
    assertThat(state.resolve("qubix-tiny/home.qcow2")).as("a disposable VM without a home makes none").doesNotExist();

    QubixCtlProcess.Result refused = run("up", "tiny");
    assertThat(refused.exitCode()).isEqualTo(QubixCtl.INVALID);
    assertThat(refused.stderr()).contains("needs a recreate");

    assertThat(run("stop", "tiny").exitCode()).isZero();
    assertThat(run("up", "tiny").exitCode()).isZero();
    assertThat(run("--json", "status", "tiny").stdout()).contains("\"home\" : \"persistent\"");
    assertThat(state.resolve("qubix-tiny/home.qcow2")).exists();
  }
}
