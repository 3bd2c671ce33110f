package dev.qubix.hyperv;

import dev.qubix.Appliance;
import dev.qubix.Availability;
import dev.qubix.Qubix;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.manifest.ManifestRules;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.BackendContractTest;
import dev.qubix.testing.TestManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hyper-V keeps every promise of {@link BackendContractTest}: the real {@link HyperVBackend}, its
 * PowerShell runner and protocol, and core's engine, as a WSL user runs them, with
 * {@link FakeHyperVHost} playing powershell.exe and the Windows host behind it.
 */
class HyperVContractTest extends BackendContractTest {
  static final String VM_ROOT = "C:\\HyperV\\Qubix";
  static final String VM_NAME = "qubix-contract";

  /** The Windows side: its drives as WSL mounts them (C: is {@code windows/c}), with vmRoot and %LOCALAPPDATA%. */
  @TempDir Path windows;
  /** The built images and the prebuilt manifest, as WSL holds them (outside the state folder the contract watches). */
  @TempDir Path built;

  private FakeHyperVHost host;
  private Path manifest;

  @BeforeEach
  void aBuiltApplianceAndAnEmptyHost() throws IOException {
    host = new FakeHyperVHost(windows);
    // named like a store path, so the cached base is named by a store hash as in production
    Path system = Files.writeString(built.resolve("0123456789abcdefghijklmnopqrstuv-contract-hyperv.vhdx"), "system image");
    Path home = Files.writeString(built.resolve("abcdefghijklmnopqrstuv0123456789-contract-home.vhdx"), "home image");
    manifest = TestManifest.machine("contract").withHomeDisk(64)
        .withImage("hyperv", "vhdx", system).withImage("home", "vhdx", home)
        .withHyperV("""
            {"vmRoot": "C:\\\\HyperV\\\\Qubix", "switchName": "Default Switch", "generation": 2, "secureBoot": false,
             "wslDistro": "NixOS"}""")
        .writeTo(built.resolve("manifest.json"));
  }

  @Override
  protected Appliance appliance(Path stateDir) {
    return Qubix.appliance("contract").withBackend(new OnFakeHost()).withStateDir(stateDir).withManifest(manifest);
  }

  /** Hyper-V keeps disks under vmRoot on the Windows side, not in Qubix's state folder. */
  @Override
  protected Path homeDisk(Path stateDir) {
    return host.local(VM_ROOT + "\\" + VM_NAME + "\\" + VM_NAME + "-home.vhdx");
  }

  /** Hyper-V reached from WSL, with the fake host behind powershell.exe; the engine's state folder and listener kept. */
  private final class OnFakeHost implements BackendProvider {
    @Override
    public String name() {
      return HyperVBackendProvider.NAME;
    }

    @Override
    public int priority() {
      return 100;
    }

    @Override
    public Availability probe(HostInfo ignored) {
      return Availability.available("Hyper-V (a fake host) through WSL interop");
    }

    @Override
    public Backend open(BackendContext context) {
      return new HyperVBackend(host.wslContext(context.stateDir(), context.listener(), context.timeout()));
    }

    @Override
    public ManifestRules manifestRules() {
      return new HyperVBackendProvider().manifestRules();
    }
  }
}
