package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Purge;
import dev.qubix.microvm.internal.VmFiles;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's umask is 022, which would make every file Qubix or QEMU creates readable by all local
 * users: the home disk holds their logins, the QMP socket controls the VM. Under that umask, nothing
 * below the state dir may grant group or others anything, and the secret is in no log line.
 */
class MicrovmPrivateFilesTest {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = PosixFilePermissions.fromString("---rwxrwx");

  @TempDir static Path shared;
  static Path flake;
  static String nix;
  @TempDir Path work;

  @BeforeAll
  static void tinyFlake() {
    TestNix.select("MicrovmPrivateFilesTest");
    nix = TestNix.binary().toString();
    flake = TinyGuest.flake(shared.resolve("tiny-flake"));
  }

  @AfterEach
  void noOrphanQemu() {
    TinyGuest.qemuUnder(work).forEach(ProcessHandle::destroyForcibly);
    assertThat(TinyGuest.qemuUnder(work)).isEmpty();
  }

  @Test
  void underUmask022EveryFolderIs0700AndEveryFileAndSocket0600() throws Exception {
    Path state = work.resolve("state");

    upInAJvmWithUmask022(state);

    Path vm = state.resolve("qubix-tiny");
    assertThat(vm.resolve("home.qcow2")).exists();
    assertThat(vm.resolve("serial.log")).exists();
    Path qmp = new VmFiles(vm).qmp();
    assertThat(qmp).exists();
    List<String> wide = new ArrayList<>();
    try (Stream<Path> all = Files.walk(state)) {
      for (Path p : all.toList()) {
        check(p, wide);
      }
    }
    if (!qmp.startsWith(state)) {
      check(qmp, wide);   // a deep state folder's socket lives in <tmp>/qubix-<hash>/
    }
    assertThat(wide).as("files and folders that others on the host could use").isEmpty();
    String log = Files.readString(work.resolve("child.log"));
    assertThat(log).as("Qubix's debug log, every command it ran").contains("run [")
        .doesNotContain(Files.readString(vm.resolve("rdp-password")));
    TinyGuest.appliance("tiny", flake, state).destroy(Purge.EVERYTHING);
  }

  @Test
  void aWiderStateFolderFromBeforeIsTightened() throws Exception {
    Path state = Files.createDirectories(work.resolve("old-state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path vm = Files.createDirectory(state.resolve("qubix-tiny"));
    Files.setPosixFilePermissions(vm, PosixFilePermissions.fromString("rwxr-xr-x"));

    upInAJvmWithUmask022(state);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(vm))).isEqualTo("rwx------");
    TinyGuest.appliance("tiny", flake, state).destroy(Purge.EVERYTHING);
  }

  private static void check(Path p, List<String> wide) throws IOException {
    if (Files.isSymbolicLink(p)) {
      return;   // GC roots: a link's own mode means nothing; its target is the world-readable store
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    boolean open = perms.stream().anyMatch(GROUP_OR_OTHERS::contains);
    boolean executableFile = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
        && perms.contains(PosixFilePermission.OWNER_EXECUTE);
    if (open || executableFile) {
      wide.add(PosixFilePermissions.toString(perms) + " " + p);
    }
  }

  private void upInAJvmWithUmask022(Path state) throws Exception {
    Requires.tool("sh");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> argv = new ArrayList<>(List.of("sh", "-c", "umask 022 && exec \"$@\"", "umask-022",
        java, "-cp", System.getProperty("java.class.path"), "-Dqubix.nix=" + nix,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
        PrivateStateMain.class.getName(), flake.toString(), state.toString()));
    Path log = work.resolve("child.log");
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as("the child JVM:\n%s", Files.readString(log)).isZero();
  }
}
