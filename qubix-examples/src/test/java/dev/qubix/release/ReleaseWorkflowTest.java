package dev.qubix.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * .github/workflows/release.yml, the publishing workflow (README, "Publishing a release"): it parses,
 * runs on a pushed tag with KVM and Nix, makes the spotibox folder compressed and signed with the
 * repository secret kept in a 0600 file, and uploads the folder's files to the tag's release.
 */
class ReleaseWorkflowTest {
  static JsonNode workflow;
  static List<JsonNode> steps;

  @BeforeAll
  static void parse() throws Exception {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve(".github/workflows/release.yml"))) {
      p = p.getParent();
      assertThat(p).as("a parent folder holding .github/workflows/release.yml").isNotNull();
    }
    workflow = new ObjectMapper(new YAMLFactory()).readTree(p.resolve(".github/workflows/release.yml").toFile());
    steps = new ArrayList<>();
    workflow.path("jobs").path("spotibox").path("steps").forEach(steps::add);
  }

  private static JsonNode step(String name) {
    return steps.stream().filter(s -> s.path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no step named " + name));
  }

  private static int indexOf(String name) {
    return steps.indexOf(step(name));
  }

  @Test
  void itRunsOnAPushedVersionTagOnly() {
    JsonNode on = workflow.path("on");

    assertThat(on.size()).isEqualTo(1);
    assertThat(on.path("push").path("tags").get(0).asText()).isEqualTo("v*");
    assertThat(on.path("push").has("branches")).isFalse();
    assertThat(workflow.path("permissions").path("contents").asText()).isEqualTo("write");
  }

  @Test
  void theRunnerHasKvmAndNixBeforeTheBuild() {
    assertThat(workflow.path("jobs").path("spotibox").path("runs-on").asText()).isEqualTo("ubuntu-latest");
    String kvm = step("Enable KVM").path("run").asText();
    assertThat(kvm).contains("KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0666\"", "/etc/udev/rules.d/",
        "udevadm control --reload-rules", "udevadm trigger --name-match=kvm", "test -w /dev/kvm");
    JsonNode nix = steps.stream().filter(s -> s.path("uses").asText().startsWith("cachix/install-nix-action@"))
        .findFirst().orElseThrow();
    assertThat(nix.path("with").path("extra_nix_config").asText()).contains("nix-command flakes", "kvm");
    assertThat(steps.indexOf(nix)).isGreaterThan(indexOf("Enable KVM")).isLessThan(indexOf("Make the signed release folder"));
  }

  @Test
  void itMakesTheSpotiboxFolderCompressedAndSignedWithTheSecretInAPrivateFile() {
    JsonNode make = step("Make the signed release folder");
    String run = make.path("run").asText();

    assertThat(make.path("env").path("QUBIX_RELEASE_SIGNING_KEY").asText())
        .isEqualTo("${{ secrets.QUBIX_RELEASE_SIGNING_KEY }}");
    assertThat(run).containsSubsequence("key=\"$(mktemp)\"", "trap 'rm -f \"$key\"' EXIT", "chmod 600 \"$key\"",
        "printf '%s\\n' \"$QUBIX_RELEASE_SIGNING_KEY\" > \"$key\"",
        "./qubixctl release make --compress --sign \"$key\" ./release spotibox", "sha256sum -c SHA256SUMS");
    // the secret itself appears only in env:, and the script never traces or prints it
    assertThat(run).doesNotContain("secrets.", "set -x").doesNotContainPattern("echo[^\\n]*\\$QUBIX_RELEASE_SIGNING_KEY");
    assertThat(indexOf("Build qubixctl")).isLessThan(indexOf("Make the signed release folder"));
  }

  @Test
  void itUploadsTheFolderAndTheLauncherToTheTagsRelease() {
    JsonNode upload = step("Upload to the GitHub release");
    String run = upload.path("run").asText();

    assertThat(upload.path("env").path("GH_TOKEN").asText()).isEqualTo("${{ github.token }}");
    assertThat(upload.path("env").path("TAG").asText()).isEqualTo("${{ github.ref_name }}");
    assertThat(run).contains("gh release create \"$TAG\" --verify-tag",
        "gh release upload \"$TAG\" release/* qubix-examples/target/qubixctl.jar qubixctl.cmd --clobber");
    assertThat(indexOf("Upload to the GitHub release")).isEqualTo(steps.size() - 1);
  }
}
