package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.hyperv.internal.PowerShell;
import dev.qubix.testing.Requires;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every script parses with the real PowerShell grammar (tree-sitter-powershell), with zero ERROR/MISSING nodes. */
class PowerShellGrammarTest {
  private static final Path GRAMMAR = Path.of("src/test/ps-grammar").toAbsolutePath();
  private static final Path SCRIPTS = Path.of("src/main/resources/dev/qubix/hyperv").toAbsolutePath();

  @BeforeAll
  static void tools() {
    Requires.tool("node");
    if (!Files.isDirectory(GRAMMAR.resolve("node_modules/tree-sitter-powershell"))) {
      Requires.missing("npm packages of " + GRAMMAR + " (run: npm ci --ignore-scripts there)");
    }
  }

  private static CommandResult parse(List<String> files) {
    List<String> argv = new ArrayList<>(List.of("node", GRAMMAR.resolve("parse.mjs").toString()));
    argv.addAll(files);
    return CommandRunner.local().run(Command.of(argv).withWorkDir(GRAMMAR).allowingFailure());
  }

  @Test
  void everyScriptParsesWithTheRealGrammar() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(SCRIPTS)) {
      files = s.filter(p -> p.toString().endsWith(".ps1") || p.toString().endsWith(".psm1")).map(Path::toString).sorted().toList();
    }
    assertThat(files).hasSize(PowerShell.SCRIPTS.size());

    CommandResult r = parse(files);

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout()).contains("all files parse");
  }

  @Test
  void theCheckBitesOnABrokenScript(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("broken.ps1");
    Files.writeString(broken, "param([string]$Params)\nfunction Oops( {\n  $x = @{ a = \n", StandardCharsets.UTF_8);

    CommandResult r = parse(List.of(broken.toString()));

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stdout()).contains("ERROR");
  }

  @Test
  void scriptsAreAsciiSoPowerShell51ReadsThemRight() throws Exception {
    for (String name : PowerShell.SCRIPTS) {
      byte[] bytes = PowerShell.resource(name);
      for (byte b : bytes) {
        assertThat(b & 0xFF).as(name + " has a non-ASCII byte").isLessThan(0x80);
      }
    }
  }
}
