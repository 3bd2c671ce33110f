package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qubixctl secret rotate}: its failures are one line with the right exit code. */
class SecretCommandIT {
  @TempDir Path tmp;
  Path state;
  Path manifest;

  @BeforeEach
  void setUp() throws Exception {
    state = Files.createDirectories(tmp.resolve("state"));
    manifest = tmp.resolve("spotibox-v2.json");
    try (InputStream in = getClass().getResourceAsStream("/spotibox-v2.json")) {
      Files.copy(in, manifest);
    }
  }

  @Test
  void rotatingTheSecretOfAMissingVmExitsWith1AndSaysHowItIsMade() throws Exception {
    QubixCtlProcess.Result r = QubixCtlProcess.run(state, Map.of(), "--manifest", manifest.toString(), "--backend", "microvm",
        "secret", "rotate", "spotibox");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
    assertThat(r.stderr()).contains("qubix-spotibox does not exist").contains("first up or recreate").doesNotContain("\tat ");
    assertThat(state.resolve("qubix-spotibox/rdp-password")).doesNotExist();
  }

  @Test
  void secretWithoutASubcommandExitsWith2() throws Exception {
    QubixCtlProcess.Result r = QubixCtlProcess.run(state, Map.of(), "secret");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("secret rotate MACHINE");
  }
}
