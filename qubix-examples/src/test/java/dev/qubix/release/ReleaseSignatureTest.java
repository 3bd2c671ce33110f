package dev.qubix.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ConfigurationException;
import dev.qubix.event.ProgressListener;
import dev.qubix.testing.ReleaseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a release key, SHA256SUMS must carry a valid {@code ssh-keygen -Y sign} signature (real ssh-keygen). */
class ReleaseSignatureTest {
  @TempDir Path tmp;
  Path release;
  Path key;
  ReleaseKey trusted;

  @BeforeEach
  void makeSignedRelease() throws Exception {
    key = TestRelease.sshKey(tmp.resolve("keys"), "publisher");
    release = tmp.resolve("release");
    TestRelease.make(tmp, release, true, key);
    trusted = ReleaseKey.read(Path.of(key + ".pub"));
  }

  @Test
  void aReleaseSignedByTheKeyPasses() throws Exception {
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThat(TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE).get("microvm")).isPresent();
    }
  }

  @Test
  void anAllowedSignersLineWorksLikeThePublicKey() throws Exception {
    Path signers = tmp.resolve("allowed_signers");
    Files.writeString(signers, "# who signs Qubix releases\npublisher@test namespaces=\"qubix-release\" "
        + Files.readString(Path.of(key + ".pub")));

    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThat(TestRelease.use(server.uri(), ReleaseKey.read(signers), tmp.resolve("state"), ProgressListener.NONE)
          .get("microvm")).isPresent();
    }
  }

  @Test
  void aSignatureByAnotherKeyFailsNamingBothFingerprints() throws Exception {
    Path other = TestRelease.sshKey(tmp.resolve("keys"), "intruder");
    TestRelease.sign(other, release.resolve("SHA256SUMS"), "qubix-release");
    String otherPrint = TestRelease.run(tmp, "ssh-keygen", "-l", "-f", other + ".pub").split(" ")[1];

    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE))
          .isInstanceOf(ReleaseSignatureException.class)
          .hasMessageContaining("was made by key " + otherPrint + ", which is not the release key (" + trusted.fingerprints().get(0));
      assertThat(server.served("tiny-microvm.qcow2.gz")).isZero();
    }
  }

  @Test
  void aMissingSignatureFailsWhenAKeyIsRequiredAndPassesWithout() throws Exception {
    Files.delete(release.resolve("SHA256SUMS.sig"));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE))
          .isInstanceOf(ReleaseSignatureException.class)
          .hasMessageStartingWith("the release " + server.uri() + " is not signed (no " + server.uri() + "SHA256SUMS.sig)");
      assertThat(server.served("tiny-microvm.qcow2.gz")).isZero();

      assertThat(TestRelease.use(server.uri(), null, tmp.resolve("state"), ProgressListener.NONE).get("microvm")).isPresent();
    }
  }

  @Test
  void anEditedSha256SumsFails() throws Exception {
    Files.writeString(release.resolve("SHA256SUMS"), "0".repeat(64) + "  extra\n", java.nio.file.StandardOpenOption.APPEND);
    try (ReleaseServer server = new ReleaseServer(release)) {
      ReleaseSignatureException e = org.assertj.core.api.Assertions.catchThrowableOfType(ReleaseSignatureException.class,
          () -> TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE));
      assertThat(e).hasMessageContaining("SHA256SUMS.sig does not match SHA256SUMS");
      assertThat(e.exitCode()).isEqualTo(11);
    }
  }

  @Test
  void aSignatureForAnotherNamespaceFails() throws Exception {
    TestRelease.sign(key, release.resolve("SHA256SUMS"), "file");
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE))
          .isInstanceOf(ReleaseSignatureException.class)
          .hasMessageContaining("it was made for namespace 'file', not 'qubix-release'");
    }
  }

  @Test
  void aGarbledSignatureFails() throws Exception {
    String sig = Files.readString(release.resolve("SHA256SUMS.sig"));
    Files.writeString(release.resolve("SHA256SUMS.sig"), sig.replace("U1NIU0lH", "U1NIU0lI"));
    try (ReleaseServer server = new ReleaseServer(release)) {
      assertThatThrownBy(() -> TestRelease.use(server.uri(), trusted, tmp.resolve("state"), ProgressListener.NONE))
          .isInstanceOf(ReleaseSignatureException.class)
          .hasMessageContaining("is not a valid signature: it does not start with SSHSIG");
    }
  }

  @Test
  void ourVerdictMatchesSshKeygens() throws Exception {
    Path signers = tmp.resolve("allowed_signers");
    Files.writeString(signers, "publisher@test " + Files.readString(Path.of(key + ".pub")));
    String out = new String(new ProcessBuilder("ssh-keygen", "-Y", "verify", "-f", signers.toString(), "-I", "publisher@test",
        "-n", "qubix-release", "-s", release.resolve("SHA256SUMS.sig").toString())
        .redirectInput(release.resolve("SHA256SUMS").toFile()).redirectErrorStream(true).start().getInputStream().readAllBytes());

    assertThat(out).contains("Good \"qubix-release\" signature for publisher@test");
    dev.qubix.release.internal.SshSignature.verify(Files.readString(release.resolve("SHA256SUMS.sig")),
        Files.readAllBytes(release.resolve("SHA256SUMS")), trusted, "SHA256SUMS.sig");
  }

  @Test
  void keysOtherThanEd25519AndKeysForOtherNamespacesAreRefused() {
    assertThatThrownBy(() -> ReleaseKey.parse("ssh-rsa AAAAB3NzaC1yc2E= me", "k.pub"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("k.pub line 1: ssh-rsa keys are not supported: Qubix verifies ssh-ed25519 signatures only (make a key with ssh-keygen -t ed25519)");
    assertThatThrownBy(() -> ReleaseKey.parse("me namespaces=\"git\" " + publicLine(), "allowed_signers"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("release key allowed_signers holds no ssh-ed25519 key for namespace qubix-release");
    assertThatThrownBy(() -> ReleaseKey.parse("\n# nothing\n", "empty"))
        .isInstanceOf(ConfigurationException.class).hasMessageStartingWith("release key empty holds no ssh-ed25519 key");
  }

  private String publicLine() {
    try {
      return Files.readString(Path.of(key + ".pub")).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
