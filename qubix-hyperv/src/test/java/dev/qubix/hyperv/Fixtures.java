package dev.qubix.hyperv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Manifests and a stand-in for powershell.exe. Hyper-V cannot run here, so the runner records each
 * argument vector and answers with protocol lines, as the scripts would.
 */
final class Fixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  static final String DHCP = TestManifest.machine("spotibox").withCpuCount(2).withMemory(2147483648L, 6442450944L)
      .withHomeDisk("qubix-home", 16384).withMdnsName("spotibox.local")
      .withImagePackage("hyperv", "spotibox-vhdx", "vhdx").withImagePackage("home", "spotibox-home-vhdx", "vhdx")
      .withHyperV("""
          {"vmRoot": "C:\\\\HyperV\\\\Qubix", "switchName": "Default Switch", "generation": 2, "secureBoot": false,
           "wslDistro": "NixOS"}""")
      .json();

  static final String STATIC_OVERRIDE = """
      {"network": {"mode": "static", "staticIp": "192.168.250.10", "prefixLength": 24, "gateway": "192.168.250.1",
        "natSwitchSubnet": "192.168.250.0/24", "nameservers": ["1.1.1.1"]}, "hyperv": {"switchName": "spotibox-nat"}}
      """;

  static MachineManifest dhcp() {
    return ManifestReader.read(DHCP, "spotibox");
  }

  /** A machine whose home disk starts blank: no "home" image. */
  static MachineManifest dhcpWithoutHomeImage() {
    return ManifestReader.read(DHCP, "spotibox", "{\"images\": {\"home\": null}}");
  }

  /** homeDisk.enable = false: no home disk at all. */
  static MachineManifest withoutHomeDisk() {
    return ManifestReader.read(DHCP, "spotibox", "{\"homeDisk\": {\"enable\": false}}");
  }

  /** No homeDisk section: the same as switched off. */
  static MachineManifest withoutHomeDiskSection() {
    return ManifestReader.read(DHCP, "spotibox", "{\"homeDisk\": null}");
  }

  /** Every manifest shape the planner can meet, for rules that must hold for all of them. */
  static List<MachineManifest> allShapes() {
    return List.of(dhcp(), dhcpWithoutHomeImage(), staticIp(), withoutHomeDisk(), withoutHomeDiskSection(),
        ManifestReader.read(DHCP, "spotibox", STATIC_OVERRIDE.strip().replaceFirst("\\}\\s*$", ", \"homeDisk\": {\"enable\": false}}")));
  }

  static MachineManifest staticIp() {
    return ManifestReader.read(DHCP, "spotibox", STATIC_OVERRIDE);
  }

  static ImageSet images(boolean withHome) {
    Image system = new Image("hyperv", ImageFormat.VHDX, "/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx",
        Path.of("/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx/nixos-image-hyperv.vhdx"));
    Image home = new Image("home", ImageFormat.VHDX, "/nix/store/abcdefghijklmnopqrstuv0123456789-home",
        Path.of("/nix/store/abcdefghijklmnopqrstuv0123456789-home/qubix-home.vhdx"));
    return new ImageSet(withHome ? Map.of("hyperv", system, "home", home) : Map.of("hyperv", system));
  }

  /** A script's answer: its stdout lines and exit code. */
  record Answer(int exitCode, List<String> lines) {
    static Answer result(String json) {
      return new Answer(0, List.of("::qubix-result::" + json));
    }
  }

  /**
   * Stands in for powershell.exe: records each argument vector and answers with protocol lines, as
   * the scripts would. Answers state.ps1 with {@code state} and everything else with an empty result.
   */
  static final class FakePowerShell implements CommandRunner {
    final List<List<String>> calls = new CopyOnWriteArrayList<>();
    /** What each call got on stdin ("" for none): the RDP secret travels there, never in argv. */
    final List<String> stdins = new CopyOnWriteArrayList<>();
    final Function<List<String>, Answer> answer;

    FakePowerShell(String stateJson) {
      this(argv -> Answer.result(script(argv).equals("state.ps1") ? stateJson : script(argv).equals("power.ps1")
          ? "{\"state\":\"" + (decode(argv).path("action").asText().equals("stop") ? "Off" : "Running") + "\"}" : "{}"));
    }

    FakePowerShell(Function<List<String>, Answer> answer) {
      this.answer = answer;
    }

    @Override
    public CommandResult run(Command command) {
      calls.add(command.argv());
      stdins.add(command.stdin() == null ? "" : command.stdin());
      Answer a = answer.apply(command.argv());
      a.lines().forEach(command.stdoutLines());
      return new CommandResult(command.argv(), a.exitCode(), String.join("\n", a.lines()) + "\n", "", Duration.ZERO);
    }

    /** The decoded -Params JSON of call {@code i}. */
    JsonNode params(int i) {
      return decode(calls.get(i));
    }
  }

  /** A runner for places where no process may start at all. */
  static final CommandRunner NO_PROCESS = c -> {
    throw new AssertionError("no process may start here, but got " + c.argv());
  };

  static String script(List<String> argv) {
    String path = argv.get(7);
    return path.substring(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
  }

  static JsonNode decode(List<String> argv) {
    try {
      return JSON.readTree(Base64.getDecoder().decode(argv.get(9)));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** WSL with interop: a host where the backend runs its scripts without Windows-only JNA checks. */
  static BackendContext wslContext(Path state, CommandRunner runner) {
    return wslContext(state, runner, ProgressListener.NONE);
  }

  /** Windows' %LOCALAPPDATA% in the WSL fixtures (WSLENV passes it); its C: drive is under the test's state dir. */
  static final String LOCAL_APP_DATA = "C:\\Users\\qubix\\AppData\\Local";
  static final String SCRIPTS_WINDOWS = LOCAL_APP_DATA + "\\Qubix\\scripts\\";

  static Path scriptsLocal(Path state) {
    return state.resolve("mnt/c/Users/qubix/AppData/Local/Qubix/scripts");
  }

  static BackendContext wslContext(Path state, CommandRunner runner, ProgressListener listener) {
    HostInfo wsl = new HostInfo(HostInfo.Os.LINUX, "amd64", true, Map.of("WSL_DISTRO_NAME", "NixOS",
        "LOCALAPPDATA", LOCAL_APP_DATA, "QUBIX_WSL_MOUNT_ROOT", state.resolve("mnt").toString()));
    return BackendContext.of(state, runner, listener, wsl, Duration.ofMinutes(5));
  }

  static BackendContext linuxContext(Path state, CommandRunner runner) {
    HostInfo linux = new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of());
    return BackendContext.of(state, runner, ProgressListener.NONE, linux, Duration.ofMinutes(5));
  }

  /** A context whose hypervisor is on another host (not supported yet: the backend must say so). */
  record Context(Path stateDir, CommandRunner runner, ProgressListener listener, HostInfo host, String managementHost)
      implements BackendContext {
    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public Duration timeout() {
      return Duration.ofMinutes(5);
    }

    @Override
    public Path privateVmDir(String vmName) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> java.util.Optional<T> await(String what, Duration limit, Duration every, java.util.function.Supplier<java.util.Optional<T>> c) {
      throw new UnsupportedOperationException();
    }
  }
}
