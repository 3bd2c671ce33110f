package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import dev.qubix.ManifestEvaluationException;
import dev.qubix.OperationTimeoutException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NixBuilder against real Nix (both lanes: Debian 12's 2.8 and Debian 13's 2.26) and small input-free flakes. */
class NixBuilderTest {
  @TempDir Path tmp;
  Path flake;
  Path calls;
  final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  final NixBuilder builder = new NixBuilder();

  @BeforeAll
  static void lane() {
    TestNix.announce("NixBuilderTest");
  }

  @BeforeEach
  void setUp() throws Exception {
    Path nix = TestNix.binary();
    flake = TinyGuest.placeholderFlake(tmp.resolve("flake"), "");
    calls = tmp.resolve("nix-calls.log");
    System.setProperty("qubix.nix", CountingNix.wrapper(tmp, nix, calls).toString());
  }

  @AfterEach
  void tearDown() {
    System.clearProperty("qubix.nix");
  }

  private BuildContext context(Duration timeout) {
    return BuildContext.of(flake, tmp.resolve("state"), new ProcessCommandRunner(events::add), events::add, timeout,
        HostInfo.current(), List.of());
  }

  private BuildContext context() {
    return context(Duration.ofMinutes(5));
  }

  private long nixProcesses() throws Exception {
    return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
  }

  @Test
  void buildGivesTypedManifestAndResolvedImagePaths() {
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box");

    ImageSet images = builder.build(context(), m, Set.of("hyperv", "microvm", "home"));

    assertThat(m.maxMemory().toString()).isEqualTo("512 MiB");
    Image hv = images.get("hyperv").orElseThrow();
    assertThat(hv.format()).isEqualTo(ImageFormat.VHDX);
    assertThat(hv.file().getFileName().toString()).isEqualTo("nixos-image-hyperv.vhdx");
    assertThat(hv.file()).isRegularFile();
    assertThat(hv.storePath()).startsWith("/nix/store/").endsWith("-test-vhdx/nixos-image-hyperv.vhdx");
    assertThat(hv.version()).hasSize(32);
    Image direct = images.get("microvm").orElseThrow();
    assertThat(direct.file()).isDirectory();
    assertThat(direct.file().resolve("kernel")).isRegularFile();
    assertThat(images.get("home").orElseThrow().file()).hasFileName("qubix-home.vhdx").isRegularFile();
  }

  @Test
  void warmCacheBuildsWithExactlyOneNixProcessAndReadsTheManifestWithNone() throws Exception {
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box");   // cold: 1
    builder.build(context(), m, Set.of("hyperv", "microvm"));                          // 1
    assertThat(nixProcesses()).isEqualTo(2);

    // what status/start/stop/connect do in a fresh JVM (read the manifest): the cache answers
    String again = builder.manifestJson(context());
    assertThat(nixProcesses()).isEqualTo(2);

    builder.build(context(), ManifestReader.read(again, "box"), Set.of("hyperv", "microvm"));
    assertThat(nixProcesses()).isEqualTo(3);
    assertThat(Files.readAllLines(calls).get(2)).contains("#qubix-manifest-json").contains("#test-vhdx").contains("#test-direct");
  }

  @Test
  void manifestWithoutStorePathsStillMatchesResultsWithOneEvalPerImage() throws Exception {
    TinyGuest.placeholderFlake(flake, "", false);
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box");

    ImageSet images = builder.build(context(), m, Set.of("hyperv", "microvm"));

    assertThat(images.get("hyperv").orElseThrow().file()).hasFileName("nixos-image-hyperv.vhdx");
    assertThat(images.get("microvm").orElseThrow().file().resolve("kernel")).isRegularFile();
    assertThat(Files.readAllLines(calls)).filteredOn(l -> l.startsWith("eval")).hasSize(2);
  }

  @Test
  void anyEditOfTheFlakeInvalidatesTheCache() throws Exception {
    builder.manifestJson(context());
    builder.manifestJson(context());
    assertThat(nixProcesses()).isEqualTo(1);

    Files.writeString(flake.resolve("notes.txt"), "an untracked new file counts too");
    builder.manifestJson(context());

    assertThat(nixProcesses()).isEqualTo(2);
  }

  @Test
  void missingImagesOfTheMachineAreSkippedNotBuilt() throws Exception {
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box", "{\"images\": {\"home\": null}}");

    ImageSet images = builder.build(context(), m, Set.of("hyperv", "home"));

    assertThat(images.images()).containsOnlyKeys("hyperv");
  }

  @Test
  void evaluationErrorKeepsNixsOwnMessage() throws Exception {
    TinyGuest.placeholderFlake(flake, "broken-eval = throw \"qubix test: broken machine\";");
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"broken-eval\", \"storePath\": null}}}");

    assertThatThrownBy(() -> builder.build(context(), m, Set.of("hyperv")))
        .isInstanceOfSatisfying(NixBuildException.class, e -> {
          assertThat(e.exitCode()).isNotZero();
          assertThat(e.attribute()).contains("#broken-eval");
          assertThat(e.logTail()).anyMatch(l -> l.startsWith("error:"));
          assertThat(String.join("\n", e.logTail())).contains("qubix test: broken machine");
        });
  }

  @Test
  void aManifestRuleBrokenDuringEvaluationIsInvalidInputNotABuildFailure() throws Exception {
    // given a flake whose manifest is the real nix/lib/manifest.nix over a machine with 0 CPUs
    try (var lib = Files.walk(Requires.repoRoot().resolve("nix/lib"))) {
      for (Path p : lib.toList()) {
        Path t = flake.resolve("lib").resolve(Requires.repoRoot().resolve("nix/lib").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    Files.writeString(flake.resolve("flake.nix"), """
        { outputs = { self }: { packages.x86_64-linux.qubix-manifest-json = derivation {
            name = "qubix-manifest.json"; system = "x86_64-linux"; builder = %s;
            args = [ "sh" "-c" "cp ${builtins.toFile "m.json" (builtins.toJSON (import ./lib/manifest.nix {
              machines.box = { networking.hostName = "box"; qubix.vm.cpuCount = 0; }; }))} $out" ]; }; }; }
        """.formatted(dev.qubix.testing.StaticBusybox.BUILDER));

    assertThatThrownBy(() -> builder.manifestJson(context()))
        .isInstanceOfSatisfying(ManifestEvaluationException.class, e -> {
          assertThat(e).isInstanceOf(ConfigurationException.class);   // qubixctl: exit 2
          assertThat(e.rules()).containsExactly("machine box: qubix.vm.cpuCount 0 is out of range 1..64");
          assertThat(e.logTail()).anyMatch(l -> l.contains("error:"));
        })
        .hasMessageContaining("#qubix-manifest-json");
  }

  @Test
  void missingAttributeIsReportedWithTheAttribute() throws Exception {
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"no-such-output\", \"storePath\": null}}}");

    assertThatThrownBy(() -> builder.build(context(), m, Set.of("hyperv")))
        .isInstanceOf(NixBuildException.class)
        .hasMessageContaining("#no-such-output")
        .hasMessageContaining("does not provide attribute");
  }

  @Test
  void failingBuilderGivesTheLogTail() throws Exception {
    TinyGuest.placeholderFlake(flake, "broken = sh \"broken\" \"echo the builder says boom; exit 7\";");
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"broken\", \"storePath\": null}}}");

    assertThatThrownBy(() -> builder.build(context(), m, Set.of("hyperv")))
        .isInstanceOfSatisfying(NixBuildException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(1);
          assertThat(e.logTail()).anyMatch(l -> l.contains("the builder says boom"));
        });
  }

  @Test
  void timeoutKillsNixAndTheBuilderItStarted() throws Exception {
    // given a build whose builder (a shell named by a token in its script) sleeps far past the timeout
    String token = "qubix-slow-" + java.util.UUID.randomUUID();
    TinyGuest.placeholderFlake(flake, "slow = sh \"slow\" \"sleep 120; : " + token + "\";");
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"slow\", \"storePath\": null}}}");
    Map<ProcessHandle, String> seen = new ConcurrentHashMap<>();   // with the command line while it ran
    AtomicBoolean building = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (building.get()) {
        // the latest command line: a child is jspawnhelper, then the counting wrapper, then nix
        ProcessHandle.current().descendants().forEach(p -> seen.merge(p, cmd(p), (was, now) -> now.isEmpty() ? was : now));
        ProcessHandle.allProcesses().filter(p -> cmd(p).contains(token)).forEach(p -> seen.put(p, cmd(p)));   // the builder
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watcher.start();

    // when the build runs out of time
    try {
      assertThatThrownBy(() -> builder.build(context(Duration.ofSeconds(10)), m, Set.of("hyperv")))
          .isInstanceOf(OperationTimeoutException.class)
          .hasMessageContaining("was killed with its child processes");
    } finally {
      building.set(false);
      watcher.join();
    }

    // then nix and the builder were running, and both are gone
    assertThat(seen.values()).as("nix and its builder while the build ran")
        .anyMatch(c -> c.contains(token)).anyMatch(c -> c.contains("nix") && !c.contains(token));
    List<String> alive = new ArrayList<>();
    for (ProcessHandle p : seen.keySet()) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        alive.add(p.pid() + " " + seen.get(p));
        p.destroyForcibly();
      }
    }
    assertThat(alive).as("processes of the build still running after the timeout").isEmpty();
  }

  /** From /proc: ProcessHandle.Info hides the command line of the sandboxed builder (another user's). */
  private static String cmd(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void progressNamesEachDerivationAsItIsBuilt() throws Exception {
    TinyGuest.placeholderFlake(flake, "");
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box");
    events.clear();

    builder.build(context(), m, Set.of("hyperv", "microvm"));

    List<String> started = events.stream().filter(e -> e instanceof ProgressEvent.NixActivity n
            && n.phase() == ProgressEvent.NixActivity.Phase.STARTED)
        .map(e -> ((ProgressEvent.NixActivity) e).text()).toList();
    assertThat(started).contains("building test-vhdx", "building test-direct");
  }

  @Test
  void progressEventsArriveInBuildOrderForTwoDerivations() throws Exception {
    // chain-b needs chain-a, so Nix must build a first: the order is fixed, not a race
    TinyGuest.placeholderFlake(flake, """
        chain-a = sh "chain-a" "mkdir $out && echo a > $out/a";
        chain-b = derivation { name = "chain-b"; inherit system nonce; a = self.packages.${system}.chain-a; builder = "${./tools}/busybox";
          args = [ "sh" "-c" "mkdir $out && cat $a/a > $out/disk.vhdx" ]; };
        """);
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"chain-b\", \"storePath\": null}}}");
    events.clear();

    ImageSet images = builder.build(context(), m, Set.of("hyperv"));

    List<String> started = events.stream().filter(e -> e instanceof ProgressEvent.NixActivity n
            && n.phase() == ProgressEvent.NixActivity.Phase.STARTED)
        .map(e -> ((ProgressEvent.NixActivity) e).text()).toList();
    assertThat(started).containsSubsequence("building chain-a", "building chain-b");
    assertThat(images.get("hyperv").orElseThrow().file()).hasFileName("disk.vhdx").hasContent("a");
  }

  @Test
  void aStaleStorePathInTheManifestFallsBackToEvaluationInsteadOfFailing() throws Exception {
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"storePath\": \"/nix/store/00000000000000000000000000000000-test-vhdx\"}}}");

    ImageSet images = builder.build(context(), m, Set.of("hyperv", "microvm"));

    assertThat(images.get("hyperv").orElseThrow().file()).hasFileName("nixos-image-hyperv.vhdx").isRegularFile();
    assertThat(images.get("microvm").orElseThrow().file().resolve("initrd")).isRegularFile();
    assertThat(Files.readAllLines(calls)).filteredOn(l -> l.startsWith("eval")).hasSize(1)
        .allMatch(l -> l.contains("#test-vhdx.outPath"));
  }

  @Test
  void untrackedFilesOfAGitCheckoutCount() throws Exception {
    // a plain (git) flake reference would only see committed files; Qubix uses path: references
    Path git = Requires.tool("git");
    TinyGuest.placeholderFlake(flake, "from-untracked = import ./untracked.nix { inherit sh; };");
    Files.writeString(flake.resolve("untracked.nix"),
        "{ sh }: sh \"from-untracked\" \"mkdir $out && echo u > $out/u.vhdx\"");
    for (List<String> cmd : List.of(List.of("init", "-q"), List.of("add", "flake.nix"),
        List.of("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "flake"))) {
      List<String> argv = new java.util.ArrayList<>(List.of(git.toString(), "-C", flake.toString()));
      argv.addAll(cmd);
      assertThat(new ProcessBuilder(argv).inheritIO().start().waitFor()).isZero();
    }
    MachineManifest m = ManifestReader.read(builder.manifestJson(context()), "box",
        "{\"images\": {\"hyperv\": {\"package\": \"from-untracked\", \"storePath\": null}}}");

    ImageSet images = builder.build(context(), m, Set.of("hyperv"));

    assertThat(images.get("hyperv").orElseThrow().file()).hasFileName("u.vhdx").hasContent("u");
  }

  @Test
  void extraNixOptionsArePassedThroughUnchanged() throws Exception {
    BuildContext withOptions = BuildContext.of(flake, tmp.resolve("state"), new ProcessCommandRunner(events::add),
        events::add, Duration.ofMinutes(5), HostInfo.current(), List.of("--option", "cores", "1", "--keep-going"));
    MachineManifest m = ManifestReader.read(builder.manifestJson(withOptions), "box");

    builder.build(withOptions, m, Set.of("hyperv"));

    assertThat(Files.readAllLines(calls)).hasSize(2).allMatch(l -> l.contains("--option cores 1 --keep-going"));
  }
}
