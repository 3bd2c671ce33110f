package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.ConfigurationException;
import dev.qubix.ConnectOptions;
import dev.qubix.Instance;
import dev.qubix.HomeBackup;
import dev.qubix.Home;
import dev.qubix.HomeMode;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The home lifecycle of a real container, on the tiny container that counts its boots in /home:
 * backups and restore roll the home back, a disposable run leaves the home folder untouched, an
 * exported archive imports back, and bad input is refused with nothing changed.
 */
class NspawnHomeTest {
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;
  @TempDir Path outside;

  @BeforeAll
  static void tinyContainer() {
    NspawnHost.require();
    TestNix.select("NspawnHomeTest");
    flake = TinyContainer.flake(shared.resolve("flake"));
  }

  Set<String> namespacesBefore = NspawnHost.namespaces();

  @AfterEach
  void noContainerOrSlirpLeft() {
    try {
      tiny().destroy(Purge.EVERYTHING);
    } catch (QubixException e) {
      // the test's own failure says more
    }
    assertThat(NspawnHost.leftovers(state)).as("systemd-nspawn or slirp4netns left running").isEmpty();
    assertThat(NspawnHost.namespacesLeft(namespacesBefore)).as("network namespaces left").isEmpty();
  }

  private Appliance tiny() {
    return TinyContainer.appliance(flake, state);
  }

  private Path vm() {
    return state.resolve(TinyContainer.VM_NAME);
  }

  private Path home() {
    return vm().resolve("home");
  }

  /** Waits until the guest answers on its RDP port: by then its init has counted the boot in /home. */
  private static Instance ready(Instance instance) {
    instance.connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));
    return instance;
  }

  private int homeCount() throws IOException {
    return TinyContainer.homeBootCount(state, TinyContainer.VM_NAME);
  }

  /** The boot counter the container printed last: in a disposable run, what it read and wrote in its overlay. */
  private int printedCount() throws IOException {
    List<Integer> all = TinyContainer.bootCounts(state, TinyContainer.VM_NAME);
    return all.get(all.size() - 1);
  }

  @Test
  void aBackupRollsTheHomeBackAndTheRestoreKeepsTheHomeItReplaced() throws Exception {
    ready(tiny().up());
    assertThat(homeCount()).isEqualTo(1);
    assertThatThrownBy(() -> tiny().home().backup("at-1")).as("a running container's files are not copied")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");
    assertThat(vm().resolve("backups/at-1")).doesNotExist();

    tiny().instance().orElseThrow().stop();
    HomeBackup one = tiny().home().backup("at-1");
    assertThat(one.name()).isEqualTo("at-1");
    assertThat(one.automatic()).isFalse();
    assertThat(one.imageVersion()).get().asString().startsWith("/nix/store/");
    assertThat(one.sizeBytes()).isPositive();
    assertThat(vm().resolve("backups/at-1/qubix-boot-count")).hasContent("1\n");

    ready(tiny().build().recreate());
    ready(tiny().build().recreate());
    assertThat(homeCount()).isEqualTo(3);
    assertThat(tiny().home().list()).as("the same image: no automatic backup").extracting(HomeBackup::name)
        .containsExactly("at-1");
    assertThatThrownBy(() -> tiny().home().restore("at-1")).as("restore while running")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");

    tiny().instance().orElseThrow().stop();
    tiny().home().restore("at-1");
    ready(tiny().up());

    assertThat(homeCount()).as("the home of the backup, booted once more").isEqualTo(2);
    assertThat(vm().resolve("backups/at-1/qubix-boot-count")).as("the backup read, never changed").hasContent("1\n");
    List<HomeBackup> all = tiny().home().list();
    assertThat(all).extracting(HomeBackup::name).hasSize(2).contains("at-1")
        .anyMatch(n -> n.startsWith("before-restore-"));
    HomeBackup kept = all.stream().filter(b -> b.name().startsWith("before-restore-")).findFirst().orElseThrow();
    assertThat(kept.automatic()).isTrue();
    assertThat(vm().resolve("backups").resolve(kept.name()).resolve("qubix-boot-count")).hasContent("3\n");
    assertThat(vm().resolve("home.new")).doesNotExist();
    assertThat(vm().resolve("home.new.tmp")).doesNotExist();

    tiny().home().delete("at-1");
    assertThat(tiny().home().list()).extracting(HomeBackup::name).containsExactly(kept.name());
    tiny().destroy(Purge.KEEP_HOME);
    assertThat(tiny().home().list()).as("destroy keeps the backups").hasSize(1);
    tiny().destroy(Purge.EVERYTHING);
    assertThat(vm()).as("purge removes the backups too").doesNotExist();
  }

  @Test
  void aDisposableRunNeverWritesTheHomeFolderAndItsOverlayGoesAtStop() throws Exception {
    ready(tiny().up());
    tiny().instance().orElseThrow().stop();
    int n = homeCount();
    String before = digest(home());

    ready(tiny().withDisposableHome().build().recreate());

    assertThat(printedCount()).as("the disposable run reads the persistent home").isEqualTo(n + 1);
    assertThat(homeCount()).as("and writes only its overlay").isEqualTo(n);
    assertThat(digest(home())).as("the home folder while the disposable container runs").isEqualTo(before);
    assertThat(vm().resolve("home-overlay/upper/qubix-boot-count")).hasContent((n + 1) + "\n");
    assertThat(tiny().status()).get().satisfies(s ->
        assertThat(s.details()).containsEntry(HomeMode.DETAIL, "disposable"));
    HomeBackup underneath = tiny().home().backup("under-disposable");
    assertThat(digest(vm().resolve("backups").resolve(underneath.name())))
        .as("a running disposable container's backup is its untouched home folder").isEqualTo(before);
    assertThatThrownBy(() -> tiny().home().restore("under-disposable")).as("never under the mounted overlay")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");

    tiny().instance().orElseThrow().stop();
    assertThat(vm().resolve("home-overlay")).as("discarded at stop").doesNotExist();
    assertThat(digest(home())).isEqualTo(before);

    ready(tiny().up());   // the engine recreates a stopped disposable container as a persistent one
    assertThat(tiny().status()).get().satisfies(s ->
        assertThat(s.details()).containsEntry(HomeMode.DETAIL, "persistent"));
    assertThat(homeCount()).as("the persistent home never saw the disposable boot").isEqualTo(n + 1);
  }

  @Test
  void anExportedHomeImportsBackAndABadArchiveIsRefusedWithNothingChanged() throws Exception {
    ready(tiny().up());
    tiny().instance().orElseThrow().stop();
    Path archive = outside.resolve("home.tar.gz");
    tiny().home().exportTo(archive);
    assertThat(archive).isRegularFile();
    assertThat(Files.list(outside).map(p -> p.getFileName().toString())).containsExactly("home.tar.gz");

    byte[] exported = Files.readAllBytes(archive);
    assertThatThrownBy(() -> tiny().home().exportTo(archive)).as("export never overwrites")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("never overwrites");
    assertThat(archive).hasBinaryContent(exported);

    ready(tiny().instance().orElseThrow().start());
    tiny().instance().orElseThrow().stop();
    assertThat(homeCount()).isEqualTo(2);
    tiny().home().importFrom(archive);
    assertThat(homeCount()).as("the exported home is back").isEqualTo(1);
    assertThat(tiny().home().list()).extracting(HomeBackup::name).singleElement().asString().startsWith("before-restore-");

    String homeBytes = digest(home());
    List<String> backups = tiny().home().list().stream().map(HomeBackup::name).toList();
    Path absolute = tar("absolute.tar", "-cPf", "%s", home().resolve("qubix-boot-count").toString());
    Files.createDirectories(outside.resolve("sub"));
    Files.writeString(outside.resolve("x"), "x");
    Path dotdot = tar("dotdot.tar", "-C", outside.resolve("sub").toString(), "-cPf", "%s", "../x");
    Path link = outside.resolve("linkdir");
    Files.createDirectories(link);
    Files.createSymbolicLink(link.resolve("passwd"), Path.of("/etc/passwd"));
    Path linkOut = tar("link.tar", "-C", link.toString(), "-cf", "%s", "passwd");
    Path notATar = Files.writeString(outside.resolve("notes.tar"), "not an archive, just some words\n");
    for (Path bad : List.of(absolute, dotdot, linkOut, notATar)) {
      assertThatThrownBy(() -> tiny().home().importFrom(bad)).as(bad.toString())
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("nothing was changed");
      assertThat(digest(home())).as("the home after refusing " + bad).isEqualTo(homeBytes);
      assertThat(tiny().home().list()).extracting(HomeBackup::name).containsExactlyElementsOf(backups);
    }
    assertThatThrownBy(() -> tiny().home().importFrom(outside.resolve("home.zip")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining(".tar");
    assertThatThrownBy(() -> tiny().home().restore("nope")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> tiny().home().backup("../escape")).isInstanceOf(ConfigurationException.class);

    tiny().destroy(Purge.EVERYTHING);
    tiny().home().importFrom(archive);
    assertThat(tiny().home().list()).as("a container not created yet: no home to keep").isEmpty();
    ready(tiny().up());
    assertThat(homeCount()).as("a new container boots on the imported home").isEqualTo(2);
    assertThatThrownBy(() -> tiny().home().importFrom(archive)).as("import while running")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");
    assertThatThrownBy(() -> tiny().home().exportTo(outside.resolve("live.tar"))).as("export while running")
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("stop it first");
    assertThat(outside.resolve("live.tar")).doesNotExist();
  }

  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String step) {
      super("crash before " + step, null, false, false);
    }
  }

  private Appliance crashingBefore(String step) {
    return tiny().withListener(e -> {
      if (e instanceof ProgressEvent.StepStarted s && s.step().equals(step)) {
        throw new Crash(step);
      }
    });
  }

  private static void run(Home home, Operation op, String argument) {
    switch (op) {
      case HOME_BACKUP -> home.backup(argument);
      case HOME_RESTORE -> home.restore(argument);
      case HOME_IMPORT -> home.importFrom(Path.of(argument));
      default -> throw new IllegalArgumentException(op.toString());
    }
  }

  private List<String> names() {
    return tiny().home().list().stream().map(HomeBackup::name).toList();
  }

  /**
   * A crash before any step loses nothing: before the two renames the home is as it was; between them
   * (before switch-home) the old home is already the whole before-restore backup and the whole new
   * home waits as home.new, which the next operation or start puts in place. A retry then succeeds.
   */
  @Test
  void aCrashBeforeAnyStepOfBackupRestoreOrImportLosesNothingAndARetrySucceeds() throws Exception {
    ready(tiny().up()).stop();
    tiny().home().backup("at-1");
    Path exported = outside.resolve("at-1.tar");
    tiny().home().exportTo(exported);
    ready(tiny().instance().orElseThrow().start());
    tiny().instance().orElseThrow().stop();
    assertThat(homeCount()).isEqualTo(2);

    record Op(Operation op, String argument) {}
    for (Op op : List.of(new Op(Operation.HOME_BACKUP, "retried"), new Op(Operation.HOME_RESTORE, "at-1"),
        new Op(Operation.HOME_IMPORT, exported.toString()))) {
      for (Step step : tiny().home().plan(op.op(), op.argument()).steps()) {
        String homeBytes = digest(home());
        List<String> backups = names();
        assertThatThrownBy(() -> run(crashingBefore(step.id()).home(), op.op(), op.argument()))
            .as("%s stopped before %s", op.op(), step.id()).isInstanceOf(Crash.class);

        List<String> added = names().stream().filter(n -> !backups.contains(n)).toList();
        if (step.id().equals("switch-home")) {
          assertThat(home()).as("between the renames").doesNotExist();
          assertThat(vm().resolve("home.new")).as("the whole new home").isDirectory();
          assertThat(added).singleElement().asString().startsWith("before-restore-");
          assertThat(digest(vm().resolve("backups").resolve(added.get(0)))).as("the old home, kept whole")
              .isEqualTo(homeBytes);
          tiny().home().delete(added.get(0));   // the next operation finishes the switch
          assertThat(home()).as("finished by the next operation").isDirectory();
          assertThat(vm().resolve("home.new")).doesNotExist();
        } else {
          assertThat(digest(home())).as("the home after a crash of %s before %s", op.op(), step.id()).isEqualTo(homeBytes);
          assertThat(added).as("backups after a crash of %s before %s", op.op(), step.id()).isEmpty();
        }
      }
      run(tiny().home(), op.op(), op.argument());   // the retry
      if (op.op() == Operation.HOME_BACKUP) {
        assertThat(names()).contains("retried");
      }
      ready(tiny().instance().orElseThrow().start());
      tiny().instance().orElseThrow().stop();
      assertThat(homeCount()).as("after the retried %s", op.op()).isEqualTo(op.op() == Operation.HOME_BACKUP ? 3 : 2);
    }
    try (Stream<Path> left = Files.list(vm().resolve("backups"))) {
      assertThat(left.map(p -> p.getFileName().toString())).as("no half-written backup").noneMatch(n -> n.endsWith(".tmp"));
    }
    assertThat(vm().resolve("home.new.tmp")).doesNotExist();
  }

  /** The tiny container from a rootfs given by path: a second copy of it is a changed image. */
  private Appliance fromRootfs(Path rootfs) {
    return Qubix.appliance(TinyContainer.MACHINE)
        .withManifest(TinyContainer.manifest(rootfs).writeTo(outside.resolve("manifest-" + rootfs.getFileName() + ".json")))
        .withBackend(new NspawnBackendProvider()).withStateDir(state);
  }

  @Test
  void aRecreateWhoseImageChangedBacksTheHomeUpFirstKeepingTheNewestOne() throws Exception {
    Path first = TinyContainer.prebuiltRootfs(flake, shared.resolve("build"));
    Path second = outside.resolve("rootfs-2");
    Process cp = new ProcessBuilder("cp", "-a", first.toString(), second.toString()).inheritIO().start();
    assertThat(cp.waitFor(120, TimeUnit.SECONDS) && cp.exitValue() == 0).as("cp -a of the rootfs").isTrue();

    ready(fromRootfs(first).up());
    ready(fromRootfs(first).build().recreate());
    assertThat(fromRootfs(first).home().list()).as("the same image: no backup").isEmpty();

    ready(fromRootfs(second).build().recreate());
    List<HomeBackup> one = fromRootfs(second).home().list();
    assertThat(one).singleElement().satisfies(b -> {
      assertThat(b.name()).startsWith("before-recreate-");
      assertThat(b.automatic()).isTrue();
      assertThat(b.imageVersion()).contains(first.toString());
    });
    assertThat(vm().resolve("backups").resolve(one.get(0).name()).resolve("qubix-boot-count")).hasContent("2\n");
    assertThat(homeCount()).isEqualTo(3);

    ready(fromRootfs(first).build().recreate());
    List<HomeBackup> kept = fromRootfs(first).home().list();
    assertThat(kept).as("the newest automatic backup is kept").singleElement().satisfies(b -> {
      assertThat(b.imageVersion()).contains(second.toString());
      assertThat(b.name()).isNotEqualTo(one.get(0).name());
    });
    assertThat(vm().resolve("backups").resolve(kept.get(0).name()).resolve("qubix-boot-count")).hasContent("3\n");

    fromRootfs(first).instance().orElseThrow().stop();
    ready(fromRootfs(second).withoutAutomaticHomeBackups().build().recreate());
    assertThat(fromRootfs(first).home().list()).as("backups turned off").extracting(HomeBackup::name)
        .containsExactly(kept.get(0).name());
    fromRootfs(first).destroy(Purge.EVERYTHING);
  }

  /** {@code tar} with {@code %s} replaced by the archive's path: GNU tar makes the bad archives a test imports. */
  private Path tar(String name, String... args) throws Exception {
    Path file = outside.resolve(name);
    List<String> argv = new java.util.ArrayList<>(List.of("tar"));
    for (String a : args) {
      argv.add(a.equals("%s") ? file.toString() : a);
    }
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("tar " + argv + ": " + out).isTrue();
    return file;
  }

  /** Names, modes and contents of a tree, links not followed: equal digests, the same tree. */
  private static String digest(Path tree) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(tree)) {
      for (Path p : all.sorted().toList()) {
        sha.update((tree.relativize(p) + "|" + Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) + "|"
            + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS) + "\n").getBytes());
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          sha.update(Files.readAllBytes(p));
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
