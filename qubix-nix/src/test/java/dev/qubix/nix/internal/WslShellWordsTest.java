package dev.qubix.nix.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.testing.Requires;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Words after {@code wsl.exe … --} cross Java's Windows command-line assembly and then the
 * distribution's shell ({@code $SHELL -c "<rest of the command line>"}). Both are reproduced here:
 * Java's rule (JDK ProcessImpl: an argument already in double quotes is passed as it is, one with a
 * space or tab is wrapped) and a real POSIX shell, which must give back every word unchanged.
 */
class WslShellWordsTest {
  static final List<String> WORDS = List.of(
      "build", "--no-link", "path:/mnt/c/Users/me/qubix/nix#qubix-manifest-json", "nix-command flakes",
      "path:/mnt/c/Users/O'Brien/qubix#x", "/mnt/c/Users/Jörg Müller/My Flakes", "/mnt/c/Users/山田/qubix",
      "C:\\Users\\me", "trailing\\", "with space\\", "$HOME", "${PATH}", "`id`", "$(id)", "a;b", "a&b", "a|b",
      "(work)", "a{b,c}", "*", "?", "[ab]", "~", "~root", "--prefix=~/x", "#comment", "a#b", "!x",
      "", " ", "'", "''", "\\$", "100%", "--option", "substituters", "https://a.example https://b.example");

  /** Java's Windows command line, for the words we hand it (never ones with an embedded quote). */
  static String javaWindowsCommandLine(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      boolean quoted = a.length() >= 2 && a.startsWith("\"") && a.endsWith("\"");
      if (!quoted && (a.isEmpty() || a.contains(" ") || a.contains("\t"))) {
        out.add("\"" + a + (a.endsWith("\\") ? "\\" : "") + "\"");
      } else {
        out.add(a);
      }
    }
    return String.join(" ", out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash"})
  void everyWordSurvivesJavaAndTheDistributionShell(String shell) {
    Requires.tool(shell);
    List<String> quoted = WORDS.stream().map(WslShellWords::quote).toList();
    // what wsl.exe hands to the shell: the rest of the command line, verbatim
    String rest = "printf '[%s]\\n' " + javaWindowsCommandLine(quoted);

    CommandResult r = CommandRunner.local().run(Command.of(shell, "-c", rest).withEnv("HOME", "/nowhere"));

    assertThat(r.stdoutLines()).containsExactlyElementsOf(WORDS.stream().map(w -> "[" + w + "]").toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"build", "--json", "path:/home/me/qubix#spotibox-vhdx", "/nix/store/abc-x/y.vhdx"})
  void plainWordsStayReadable(String word) {
    assertThat(WslShellWords.quote(word)).isEqualTo(word);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\"b", "\"quoted\"", "line\nbreak", "nul\u0000", "bell\u0007"})
  void wordsThatCannotCrossAreRefused(String word) {
    assertThatThrownBy(() -> WslShellWords.quote(word)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("wsl.exe");
  }
}
