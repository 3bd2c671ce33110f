package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.testing.ReleaseServer;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's acceptance, end to end on the tiny guest: {@code release make} builds a signed release
 * from the tiny flake (with Nix), a loopback HTTP server serves it, and {@code --release … up} boots it
 * with a {@code nix} on PATH that counts its runs and is never run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseCtlIT {
  static final String MACHINE = "tiny-disk";
  static final String IMAGE = "tiny-disk-microvm.qcow2.gz";
  @TempDir static Path tmp;
  Path flake;
  Path release;
  Path key;
  Path state;
  Path secondState;
  Path nixRuns;
  Map<String, String> noNix;
  ReleaseServer server;

  @BeforeAll
  void makeAndServeRelease() throws Exception {
    Requires.tool("ssh-keygen");
    flake = TinyGuest.flake(tmp.resolve("tiny-flake"));
    Requires.that(Files.exists(flake.resolve("tiny.qcow2")), "the tiny-disk image (syslinux, mtools, dosfstools)");
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    key = keys.resolve("release-key");
    exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "publisher", "-f", key.toString()));
    state = tmp.resolve("state");
    secondState = tmp.resolve("state-2");
    Files.createDirectories(state);
    release = tmp.resolve("release");

    QubixCtlProcess.Result made = QubixCtlProcess.run(state, Map.of("NIX_CONFIG", TinyGuest.NIX_CONFIG,
        "QUBIX_FLAKE", flake.toString()), "release", "make", "--compress", "--sign", key.toString(), release.toString(), MACHINE);
    assertThat(made.exitCode()).as(made.stderr()).isZero();

    // a nix that counts its runs and fails: up must never start it
    Path bin = Files.createDirectories(tmp.resolve("counting-bin"));
    nixRuns = tmp.resolve("nix-runs");
    Path nix = bin.resolve("nix");
    Files.writeString(nix, "#!/bin/sh\necho \"$@\" >> '" + nixRuns + "'\nexit 1\n");
    Files.setPosixFilePermissions(nix, PosixFilePermissions.fromString("rwx------"));
    noNix = new HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH"), "QUBIX_BACKEND", "microvm",
        "QUBIX_FLAKE", tmp.resolve("no-flake-here").toString()));
    server = new ReleaseServer(release);
  }

  @AfterAll
  void destroyAndStop() throws Exception {
    for (Path s : new Path[] {state, secondState}) {
      if (s != null && Files.isDirectory(s)) {
        QubixCtlProcess.run(s, Map.of("QUBIX_BACKEND", "microvm"), "--release", release.toString(), "destroy", "--purge", MACHINE);
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private QubixCtlProcess.Result withRelease(Path stateDir, String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("--release", server.uri().toString(),
        "--release-key", key + ".pub"));
    argv.addAll(List.of(args));
    return QubixCtlProcess.run(stateDir, noNix, argv.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void releaseMakeWroteASignedReleaseWithFileNamesInsteadOfStorePaths() throws Exception {
    try (Stream<Path> s = Files.list(release)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted())
          .containsExactly("SHA256SUMS", "SHA256SUMS.sig", "qubix-manifest.json", IMAGE);
    }
    String manifest = Files.readString(release.resolve("qubix-manifest.json"));
    assertThat(manifest).contains("\"file\" : \"" + IMAGE + "\"").doesNotContain("/nix/store");
  }

  @Test
  @Order(2)
  void upFromTheReleaseBootsTheGuestWithoutNixAndRdpAnswers() throws Exception {
    QubixCtlProcess.Result up = withRelease(state, "up", MACHINE);

    assertThat(up.exitCode()).as(up.stderr()).isZero();
    assertThat(up.stdout()).contains("qubix-tiny-disk: running on microvm");
    assertThat(server.served(IMAGE)).isEqualTo(Files.size(release.resolve(IMAGE)));
    QubixCtlProcess.Result rdp = withRelease(state, "connect", "--no-client", "--timeout", "120", MACHINE);
    assertThat(rdp.exitCode()).as(rdp.stderr()).isZero();
    assertThat(rdp.stdout()).contains("tiny-disk: RDP ready at ");
    assertThat(nixRuns).as("the counting nix stand-in ran").doesNotExist();
  }

  @Test
  @Order(3)
  void aSecondUpOnAFreshStateDirSharingTheCacheDownloadsNoImageByte() throws Exception {
    long before = server.served(IMAGE);
    Files.createDirectories(secondState);
    Files.createSymbolicLink(secondState.resolve("cache"), state.resolve("cache"));

    QubixCtlProcess.Result up = withRelease(secondState, "up", MACHINE);

    assertThat(up.exitCode()).as(up.stderr()).isZero();
    assertThat(server.served(IMAGE) - before).isZero();
    assertThat(nixRuns).doesNotExist();
    QubixCtlProcess.Result down = withRelease(secondState, "destroy", "--purge", MACHINE);
    assertThat(down.exitCode()).as(down.stderr()).isZero();
  }

  @Test
  @Order(4)
  void oneFlippedByteIsAChecksumErrorAndTheRunningVmIsLeftAlone() throws Exception {
    Path tampered = tmp.resolve("tampered");
    Files.createDirectories(tampered);
    try (Stream<Path> s = Files.list(release)) {
      for (Path f : s.toList()) {
        Files.copy(f, tampered.resolve(f.getFileName()));
      }
    }
    byte[] image = Files.readAllBytes(tampered.resolve(IMAGE));
    image[image.length / 3] ^= 0x01;
    Files.write(tampered.resolve(IMAGE), image);
    String before = status();
    // the verified copy is cached under the hash SHA256SUMS lists, and would be used without a download:
    // set it aside (the running QEMU keeps its open file) so that the tampered bytes are fetched
    String sha = Files.readString(release.resolve("SHA256SUMS")).lines().filter(l -> l.endsWith(IMAGE))
        .findFirst().orElseThrow().substring(0, 64);
    Path entry = state.resolve("cache/releases").resolve(sha);
    Path aside = tmp.resolve("aside");
    Files.move(entry, aside);
    try {
      QubixCtlProcess.Result r = QubixCtlProcess.run(state, noNix, "--release", tampered.toString(), "--release-key",
          key + ".pub", "recreate", MACHINE);

      assertThat(r.exitCode()).as(r.stderr()).isEqualTo(10);
      assertThat(r.stderr()).contains("checksum mismatch for " + IMAGE).contains("SHA256SUMS lists " + sha);
      try (Stream<Path> left = Files.list(entry)) {
        assertThat(left.map(p -> p.getFileName().toString())).as("nothing of the tampered file is kept").containsOnly(".lock");
      }
    } finally {
      if (Files.exists(entry)) {
        try (Stream<Path> left = Files.list(entry)) {
          for (Path p : left.toList()) {
            Files.delete(p);
          }
        }
        Files.delete(entry);
      }
      Files.move(aside, entry);
    }
    assertThat(status()).isEqualTo(before);
    assertThat(nixRuns).doesNotExist();
  }

  @Test
  @Order(5)
  void anUnsignedCopyIsRefusedWithTheKeyAndItsOwnExitCode() throws Exception {
    Path unsigned = tmp.resolve("unsigned");
    Files.createDirectories(unsigned);
    try (Stream<Path> s = Files.list(release)) {
      for (Path f : s.filter(f -> !f.getFileName().toString().endsWith(".sig")).toList()) {
        Files.copy(f, unsigned.resolve(f.getFileName()));
      }
    }

    QubixCtlProcess.Result r = QubixCtlProcess.run(state, noNix, "--release", unsigned.toString(), "--release-key",
        key + ".pub", "recreate", MACHINE);

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(11);
    assertThat(r.stderr()).contains("is not signed");
  }

  /** The VM's state and QEMU pid: a recreate that touched the VM would change the pid. */
  private String status() throws Exception {
    QubixCtlProcess.Result s = withRelease(state, "--json", "status", MACHINE);
    assertThat(s.exitCode()).as(s.stderr()).isZero();
    var node = Commands.JSON.readTree(s.stdout());
    assertThat(node.path("state").asText()).isEqualTo("running");
    return node.path("state").asText() + " pid " + node.path("details").path("pid").asText();
  }

  private static void exec(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
  }
}
