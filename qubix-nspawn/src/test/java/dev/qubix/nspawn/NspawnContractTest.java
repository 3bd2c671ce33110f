package dev.qubix.nspawn;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import dev.qubix.testing.BackendContractTest;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The declared stub's part of the contract: pure plans, and every change refused before it touches anything. */
class NspawnContractTest extends BackendContractTest {
  @TempDir static Path shared;
  static Path manifest;

  @BeforeAll
  static void manifest() {
    manifest = TestManifest.machine("box").writeTo(shared.resolve("box.json"));
  }

  @Override
  protected Appliance appliance(Path stateDir) {
    return Qubix.appliance("box").withManifest(manifest).withBackend(new NspawnBackendProvider()).withStateDir(stateDir);
  }

  @Override
  protected Path homeDisk(Path stateDir) {
    return stateDir.resolve("qubix-box").resolve("home");
  }

  @Override
  protected boolean runs() {
    return false;
  }
}
