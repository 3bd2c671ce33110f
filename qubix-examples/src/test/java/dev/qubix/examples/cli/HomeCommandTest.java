package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qubixctl home …} and the home plans, in-process and without a VM: the command names, the
 * plans they show, and exit 2 for bad input (before anything runs or changes), exit 3 where the
 * backend cannot do it.
 */
class HomeCommandTest {
  @TempDir Path tmp;
  Path state;
  Path manifest;

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    state = Files.createDirectories(tmp.resolve("state"));
    manifest = tmp.resolve("spotibox-v2.json");
    try (InputStream in = getClass().getResourceAsStream("/spotibox-v2.json")) {
      Files.copy(in, manifest);
    }
  }

  private Run run(String backend, String... args) {
    List<String> all = new ArrayList<>(List.of("--manifest", manifest.toString(), "--state-dir", state.toString(),
        "--backend", backend));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = QubixCtl.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void planHomeRestoreShowsCopyKeepAndSwitchWithoutChangingAnything() throws Exception {
    Run r = run("microvm", "plan", "home-restore", "before-upgrade", "spotibox");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("home-restore spotibox on microvm:")
        .contains("backups/before-upgrade.qcow2 (only read, never changed)")
        .contains("no current home to keep")
        .contains("rename");
    try (var left = Files.list(state)) {
      assertThat(left).as("a plan changes nothing").isEmpty();
    }
  }

  @Test
  void planJsonNamesTheOperationAsTheCommandLineDoes() throws Exception {
    Run r = run("microvm", "--json", "plan", "home-export", tmp.resolve("out.vhdx").toString(), "spotibox");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode p = new ObjectMapper().readTree(r.out());
    assertThat(p.path("operation").asText()).isEqualTo("home-export");
    assertThat(p.path("steps").get(0).path("id").asText()).isEqualTo("export");
  }

  @Test
  void aPlanOfAHomeOperationWithoutItsArgumentIsInvalidInput() {
    Run r = run("microvm", "plan", "home-restore");

    assertThat(r.exitCode()).isEqualTo(QubixCtl.INVALID);
    assertThat(r.err()).contains("plan home-restore needs a backup NAME");
  }

  @Test
  void backupNamesThatCouldLeaveTheBackupsFolderAreRefusedWithExitTwo() {
    for (String bad : List.of("../escape", "a/b", "..", ".hidden", "")) {
      Run r = run("microvm", "home", "restore", bad, "spotibox");

      assertThat(r.exitCode()).as("restore '%s': %s", bad, r.err()).isEqualTo(QubixCtl.INVALID);
      assertThat(r.err()).as(bad).contains("backup name").contains("is not valid").doesNotContain("Exception");
    }
    Run b = run("microvm", "home", "backup", "--name", "x/../../y", "spotibox");
    assertThat(b.exitCode()).isEqualTo(QubixCtl.INVALID);
    assertThat(state).isEmptyDirectory();
  }

  @Test
  void aBackendWithoutHomeOperationsRefusesThemWithExitThreeAndSaysWhichCan() {
    // microvm, Hyper-V and nspawn all keep home backups now: a test backend without them (support/)
    Run list = run("homeless", "home", "list", "spotibox");
    Run plan = run("homeless", "plan", "home-backup", "spotibox");

    assertThat(list.exitCode()).as(list.err()).isEqualTo(QubixCtl.NO_BACKEND);
    assertThat(list.err()).contains("homeless backend keeps no home backups");
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("refused: the homeless backend does not support home-backup");
  }

  @Test
  void recreateRefusesContradictoryBackupFlags() {
    Run r = run("microvm", "recreate", "--backup-home", "--no-auto-backup", "spotibox");

    assertThat(r.exitCode()).isEqualTo(QubixCtl.INVALID);
    assertThat(r.err()).contains("contradict");
  }

  @Test
  void homeHelpListsEverySubcommand() {
    Run r = run("microvm", "home", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("backup").contains("list").contains("restore").contains("delete").contains("export")
        .contains("import");
  }
}
