package dev.qubix.testing;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The fake honours the contract it stands in for: what a test learns from it holds for real backends. */
class FakeBackendContractTest extends BackendContractTest {
  @TempDir static Path shared;
  static Path manifest;
  private final FakeBackend fake = new FakeBackend("fake", -1);

  @BeforeAll
  static void manifest() {
    manifest = TestManifest.machine("box").writeTo(shared.resolve("box.json"));
  }

  @Override
  protected Appliance appliance(Path stateDir) {
    return Qubix.appliance("box").withManifest(manifest).withBackend(fake.provider()).withStateDir(stateDir);
  }

  @Override
  protected Path homeDisk(Path stateDir) {
    return stateDir.resolve("qubix-box").resolve("home");
  }
}
