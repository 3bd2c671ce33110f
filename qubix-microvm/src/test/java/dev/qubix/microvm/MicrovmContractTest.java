package dev.qubix.microvm;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import dev.qubix.testing.BackendContractTest;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract on real QEMU: the tiny guest from a prebuilt manifest (built by Nix once,
 * outside the contract's state folder), so planning runs no Nix and writes no manifest cache.
 */
class MicrovmContractTest extends BackendContractTest {
  @TempDir static Path shared;
  static Path manifest;

  @BeforeAll
  static void prebuilt() {
    Path image = TinyGuest.prebuiltImage(TinyGuest.flake(shared.resolve("tiny-flake")), shared.resolve("build-state"));
    manifest = TinyGuest.manifest(image).writeTo(shared.resolve("tiny.json"));
  }

  @Override
  protected Appliance appliance(Path stateDir) {
    return Qubix.appliance(TinyGuest.MACHINE).withManifest(manifest).withBackend(new MicrovmBackendProvider())
        .withStateDir(stateDir);
  }

  @Override
  protected Path homeDisk(Path stateDir) {
    return stateDir.resolve(TinyGuest.vmName(TinyGuest.MACHINE)).resolve("home.qcow2");
  }
}
