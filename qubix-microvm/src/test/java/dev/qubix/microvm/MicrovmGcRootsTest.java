package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Instance;
import dev.qubix.Purge;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopped VM survives Nix's garbage collector: the store paths it boots from are GC roots under its
 * own folder for as long as it exists, and only then. The lane's real nix-collect-garbage runs
 * between stop and start (it deletes only what no root reaches: on a developer's machine, their
 * own unrooted paths too, as any collection would); {@code nix store delete} then shows the root is
 * the VM's and that it goes with the VM.
 */
class MicrovmGcRootsTest {
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmGcRootsTest");
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
    try {
      // an image of this class's own: no other test's VM may root the same store path
      Files.writeString(flake.resolve("flake.nix"), Files.readString(flake.resolve("flake.nix"))
          .replace("panic=-1 quiet", "panic=-1 quiet qubix.test=" + java.util.UUID.randomUUID()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void noQemuLeft() {
    TinyGuest.qemuUnder(state).forEach(ProcessHandle::destroyForcibly);
  }

  private Appliance tiny() {
    return TinyGuest.appliance("tiny", flake, state);
  }

  @Test
  void aStoppedVmStillBootsAfterTheCollectorRanAndItsRootsGoWithTheVm() throws Exception {
    BuiltAppliance built = tiny().build();
    String image = built.images().get("microvm").source();
    Instance vm = built.recreate();
    vm.connect(ConnectOptions.defaults().withoutClient());
    vm.stop(Duration.ofSeconds(30));
    dropTheBuildsOwnRoots();
    Path root = state.resolve("qubix-tiny/gcroots/microvm");
    assertThat(Files.readSymbolicLink(root)).hasToString(image);

    assertThat(tiny().gc()).as("gc reports the root").singleElement().asString()
        .startsWith("kept " + image).contains("gcroots/microvm").contains("qubix-tiny boots from it");

    Result collected = run(TestNix.binary().resolveSibling("nix-collect-garbage").toString());
    assertThat(collected.exit).as(collected.output).isZero();
    assertThat(Path.of(image)).as("the collector kept what the stopped VM boots from").exists();
    Result deleted = nix("store", "delete", image);
    assertThat(deleted.exit).as(deleted.output).isNotZero();
    assertThat(deleted.output).as("the collector's own reason").containsIgnoringCase("alive");

    vm.start();
    vm.connect(ConnectOptions.defaults().withoutClient());
    assertThat(TinyGuest.bootCounts(state, "qubix-tiny")).containsExactly(1, 2);

    tiny().destroy(Purge.KEEP_HOME);
    assertThat(state.resolve("qubix-tiny/gcroots")).doesNotExist();
    Result freed = nix("store", "delete", image);
    assertThat(freed.exit).as("no root left once the VM is gone: " + freed.output).isZero();
    assertThat(Path.of(image)).doesNotExist();
  }

  @Test
  void recreateMovesTheRootsToTheNewImage() throws Exception {
    tiny().build().recreate();
    Path root = state.resolve("qubix-tiny/gcroots/microvm");
    Path first = Files.readSymbolicLink(root);

    Files.writeString(flake.resolve("flake.nix"), Files.readString(flake.resolve("flake.nix"))
        .replace("panic=-1 quiet", "panic=-1 quiet qubix.test.moved"));
    BuiltAppliance rebuilt = tiny().build();
    rebuilt.recreate();

    assertThat(Files.readSymbolicLink(root)).isNotEqualTo(first)
        .hasToString(rebuilt.images().get("microvm").source());
    try (var links = Files.list(state.resolve("qubix-tiny/gcroots"))) {
      assertThat(links.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("microvm");
    }
    tiny().destroy(Purge.EVERYTHING);
  }

  /** The build roots what it made until the next build; only the VM's roots may keep it alive here. */
  private void dropTheBuildsOwnRoots() throws Exception {
    Path dir = state.resolve("gcroots");
    try (var all = Files.walk(dir)) {
      for (Path link : all.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
  }

  private record Result(int exit, String output) {}

  private static Result nix(String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of(TestNix.binary().toString(),
        "--extra-experimental-features", "nix-command"));
    argv.addAll(List.of(args));
    return run(argv.toArray(String[]::new));
  }

  private static Result run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
