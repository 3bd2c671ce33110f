package dev.qubix.nspawn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rootfs's links mean the container's paths, never the host's. */
class RootfsPathsTest {
  @TempDir Path root;

  @Test
  void anAbsoluteLinkResolvesInsideTheRoot() throws Exception {
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("sbin"));
    Files.writeString(root.resolve("bin/busybox"), "x");
    Files.createSymbolicLink(root.resolve("sbin/init"), Path.of("/bin/busybox"));

    assertThat(RootfsPaths.resolve(root, "/sbin/init")).contains(root.resolve("bin/busybox"));
  }

  @Test
  void aLinkToAHostFileThatTheRootLacksResolvesToNothing() throws Exception {
    Files.createDirectories(root.resolve("sbin"));
    Files.createSymbolicLink(root.resolve("sbin/init"), Path.of("/bin/sh"));   // the host has one; the root does not

    assertThat(RootfsPaths.resolve(root, "/sbin/init")).isEmpty();
  }

  @Test
  void dotDotStopsAtTheRootAndLoopsEnd() throws Exception {
    Files.createDirectories(root.resolve("sbin"));
    Files.writeString(root.resolve("init"), "x");
    Files.createSymbolicLink(root.resolve("sbin/up"), Path.of("../../../../init"));
    Files.createSymbolicLink(root.resolve("sbin/a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("sbin/b"), Path.of("a"));

    assertThat(RootfsPaths.resolve(root, "/sbin/up")).contains(root.resolve("init"));
    assertThat(RootfsPaths.resolve(root, "/sbin/a")).isEmpty();
  }
}
