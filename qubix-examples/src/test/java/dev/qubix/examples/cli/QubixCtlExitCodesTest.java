package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.BackendUnavailableException;
import dev.qubix.ManifestEvaluationException;
import dev.qubix.ManifestException;
import dev.qubix.nix.NixBuildException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's exit codes: 2 for any invalid manifest, wherever it was found; 1 for a failed build. */
class QubixCtlExitCodesTest {
  @Test
  void aManifestRuleNixRejectsExitsTwoLikeOneJavaRejects() {
    assertThat(QubixCtl.exitCode(new ManifestEvaluationException("path:.#qubix-manifest-json",
        List.of("machine box: qubix.vm.cpuCount 0 is out of range 1..64"), List.of()))).isEqualTo(2);
    assertThat(QubixCtl.exitCode(new ManifestException("/machines/box/cpuCount", "0 is out of range 1..64"))).isEqualTo(2);
  }

  @Test
  void aFailedBuildExitsOneAndNoBackendThree() {
    assertThat(QubixCtl.exitCode(new NixBuildException("path:.#test-vhdx", 1, List.of("error: boom")))).isEqualTo(1);
    assertThat(QubixCtl.exitCode(new BackendUnavailableException("no qemu"))).isEqualTo(3);
  }

  @Test
  void eachReleaseFailureHasItsOwnExitCodeFromTenToSeventeen() {
    List<RuntimeException> failures = List.of(new dev.qubix.release.ChecksumMismatchException("x"),
        new dev.qubix.release.ReleaseSignatureException("x"), new dev.qubix.release.UnlistedFileException("x"),
        new dev.qubix.release.DownloadException("x"), new dev.qubix.release.CorruptImageException("x"),
        new dev.qubix.release.ReleaseManifestException("x"), new dev.qubix.release.MissingImageException("x"),
        new dev.qubix.release.DiskFullException("x"));

    assertThat(failures.stream().map(QubixCtl::exitCode)).containsExactly(10, 11, 12, 13, 14, 15, 16, 17);
  }

  @Test
  void aReleaseKeyWithoutAReleaseIsInvalidInput() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int code = QubixCtl.run(new String[] {"--release-key", "k.pub", "status", "tiny"}, new java.io.PrintStream(out),
        new java.io.PrintStream(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--release-key needs --release URL-or-DIR");
  }
}
