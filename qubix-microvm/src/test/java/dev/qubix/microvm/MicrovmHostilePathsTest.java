package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folder names users really have — a Windows user folder seen from WSL has a space, others have
 * commas, quotes, URL syntax or non-ASCII letters — as the flake folder and the state folder at once,
 * through build → recreate → connect → destroy on the tiny guest. Nix gets {@code path:.} (no URL to
 * escape), QEMU gets {@code ,,} for a comma inside an option value.
 */
class MicrovmHostilePathsTest {
  /** Shared with {@link MicrovmHostilePrebuiltPathsTest}. */
  static final List<String> NAMES = List.of(
      "with space", "comma,dir", "O'Brien", "say \"hi\"", "hash#fragment", "query?a=1&b=2", "100% sure",
      "ünïcødé ✓", "$HOME and `id`", "semi;colon|pipe", "(paren) [bracket] {brace}", "back\\slash",
      "colon:name", "-leading-dash", "trailing space ", "C:\\Users\\Jane Doe");

  @TempDir static Path shared;
  static Path base;
  @TempDir Path work;

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmHostilePathsTest");
    base = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noQemuLeft() {
    assertThat(TinyGuest.qemuUnder(work)).as("QEMU left running").isEmpty();
  }

  static Stream<String> names() {
    return NAMES.stream();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("names")
  void aFlakeAndStateFolderOfThisNameRunTheWholeLifecycle(String name) throws Exception {
    Path flake = linkedCopy(base, work.resolve(name).resolve("flake " + name));
    Path state = work.resolve(name).resolve("state " + name);
    Appliance tiny = Qubix.appliance("tiny").withFlake(flake).withBackend("microvm").withStateDir(state);

    Connection c = tiny.build().recreate().connect(ConnectOptions.defaults().withoutClient()
        .withTimeout(Duration.ofMinutes(2)));

    assertThat(X224Probe.answers(c.endpoint(), Duration.ofSeconds(5))).isTrue();
    assertThat(TinyGuest.lastBootCount(state, "qubix-tiny")).isEqualTo(1);
    assertThat(state.resolve("qubix-tiny/gcroots/microvm")).isSymbolicLink();
    tiny.destroy(Purge.EVERYTHING);
    assertThat(tiny.status()).isEmpty();
    assertThat(state.resolve("qubix-tiny")).doesNotExist();
  }

  /** The tiny flake's files hard-linked into {@code to} (a copy where links are not possible). */
  static Path linkedCopy(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          try {
            Files.createLink(target, p);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    }
    return to;
  }
}
