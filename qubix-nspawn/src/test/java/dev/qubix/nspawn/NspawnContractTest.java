package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import dev.qubix.testing.BackendContractTest;
import dev.qubix.testing.TinyContainer;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, for real: the tiny container (a busybox rootfs built by an input-free flake in Nix's
 * sandbox) in systemd-nspawn, as root. Needs root, systemd-nspawn and slirp4netns: skipped locally
 * without them, failed under CI.
 */
class NspawnContractTest extends BackendContractTest {
  @TempDir static Path shared;
  static Path manifest;

  @BeforeAll
  static void tinyContainer() {
    NspawnHost.require();
    Path flake = TinyContainer.flake(shared.resolve("flake"));
    Path rootfs = TinyContainer.prebuiltRootfs(flake, shared.resolve("build-state"));
    manifest = TinyContainer.manifest(rootfs).writeTo(shared.resolve("tiny.json"));
  }

  Set<String> namespacesBefore = NspawnHost.namespaces();

  @AfterEach
  void noContainerOrSlirpLeft() {
    assertThat(NspawnHost.leftovers(state)).as("systemd-nspawn or slirp4netns left running").isEmpty();
    assertThat(NspawnHost.namespacesLeft(namespacesBefore)).as("network namespaces left").isEmpty();
  }

  @Override
  protected Appliance appliance(Path stateDir) {
    return Qubix.appliance(TinyContainer.MACHINE).withManifest(manifest).withBackend(new NspawnBackendProvider())
        .withStateDir(stateDir);
  }

  @Override
  protected Path homeDisk(Path stateDir) {
    return stateDir.resolve(TinyContainer.VM_NAME).resolve("home");
  }

}
