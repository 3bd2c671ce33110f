package dev.qubix.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void missingFoldersAreMadeForTheUserAlone() throws Exception {
    Path root = tmp.resolve("deep/state");

    PrivateFiles.directories(root, root.resolve("vm/gcroots"));

    assertThat(mode(tmp.resolve("deep"))).isEqualTo("rwx------");
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(root.resolve("vm"))).isEqualTo("rwx------");
    assertThat(mode(root.resolve("vm/gcroots"))).isEqualTo("rwx------");
  }

  @Test
  void anExistingWiderFolderIsTightened() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("state"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path vm = Files.createDirectory(root.resolve("vm"));
    Files.setPosixFilePermissions(vm, PosixFilePermissions.fromString("rwxrwxrwx"));

    PrivateFiles.directories(root, vm);

    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(vm)).isEqualTo("rwx------");
  }

  @Test
  void filesAre0600FromTheirFirstByteAndAWiderOneIsTightened() throws Exception {
    Path fresh = tmp.resolve("fresh");
    Path old = Files.writeString(tmp.resolve("old"), "x");
    Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));

    PrivateFiles.writeString(fresh, "secret");
    PrivateFiles.open(old, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();

    assertThat(mode(fresh)).isEqualTo("rw-------");
    assertThat(Files.readString(fresh)).isEqualTo("secret");
    assertThat(mode(old)).isEqualTo("rw-------");
  }

  @Test
  void aChildRunWithThePrivateUmaskCreatesPrivateFilesWhateverTheParentsUmask() throws Exception {
    // not a skip: PrivateFiles itself runs every child through /bin/sh, so without one it is broken
    assertThat(Path.of("/bin/sh")).as("the shell PrivateFiles.withPrivateUmask runs").isExecutable();
    Path made = tmp.resolve("made-by-child");
    List<String> argv = new ArrayList<>(List.of("sh", "-c", "umask 022 && exec \"$@\"", "outer"));
    argv.addAll(PrivateFiles.withPrivateUmask(List.of("sh", "-c", "echo hi > \"$1\"", "inner", made.toString())));

    Process p = new ProcessBuilder(argv).inheritIO().start();

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(mode(made)).isEqualTo("rw-------");
  }
}
