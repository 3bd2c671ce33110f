package dev.qubix.bench;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** 5. In-process API overhead: manifest parse + validate, plan generation, Hyper-V argument rendering. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ApiBenchmarks {
  static final String MANIFEST = """
      {"schemaVersion": 3, "machines": {"spotibox": {"hostName": "spotibox", "vmName": "qubix-spotibox",
        "cpuCount": 2, "memoryStartupBytes": 2147483648, "maxMemoryBytes": 6442450944,
        "network": {"mode": "static", "staticIp": "192.168.250.10", "prefixLength": 24, "gateway": "192.168.250.1",
                    "natSwitchSubnet": "192.168.250.0/24", "nameservers": ["1.1.1.1"]},
        "homeDisk": {"enable": true, "label": "qubix-home", "sizeMiB": 16384},
        "rdp": {"user": "rdp", "port": 3389, "width": 1280, "height": 800}, "mdnsName": "spotibox.local",
        "images": {"hyperv": {"package": "spotibox-vhdx", "format": "vhdx"}, "home": {"package": "spotibox-home-vhdx", "format": "vhdx"}},
        "hyperv": {"vmRoot": "C:\\\\HyperV\\\\Qubix", "switchName": "spotibox-nat", "generation": 2, "secureBoot": false, "wslDistro": "NixOS"}}}}
      """;
  static final java.util.List<String> STEPS = java.util.List.of("base-image", "system-disk", "create-vm", "start", "wait-running");
  final MachineManifest machine = ManifestReader.read(MANIFEST, "spotibox");
  final ImageSet images = new ImageSet(Map.of("hyperv", new Image("hyperv", ImageFormat.VHDX,
      "/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx/x.vhdx", Path.of("/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx/x.vhdx"))));

  @Benchmark
  public MachineManifest parseAndValidate() {
    return ManifestReader.read(MANIFEST, "spotibox");
  }

  @Benchmark
  public Object hypervRecreatePlan() {
    return dev.qubix.hyperv.internal.HyperVPlanner.recreate(machine, images, dev.qubix.hyperv.internal.HostState.unknown(),
        "\\\\wsl.localhost\\NixOS\\nix\\store\\x.vhdx", null);
  }

  @Benchmark
  public String hypervArgumentRendering() {
    return dev.qubix.hyperv.internal.PowerShell.encode(dev.qubix.hyperv.internal.HyperVPlanner.recreateParams(machine, images,
        "\\\\wsl.localhost\\NixOS\\nix\\store\\x.vhdx", null, STEPS));
  }
}
