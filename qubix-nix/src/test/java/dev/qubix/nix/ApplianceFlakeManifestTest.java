package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.manifest.Cidr;
import dev.qubix.manifest.EgressMode;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.Ipv4;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.manifest.Mode;
import dev.qubix.testing.Requires;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crosses the Nix → Java boundary for the real appliance flake: nix/lib/manifest.nix evaluated by
 * real Nix on the fixture configs, read by the Java reader.
 */
class ApplianceFlakeManifestTest {
  private static Path nixDir;

  @BeforeAll
  static void tools() {
    Requires.tool("nix-instantiate");
    nixDir = Requires.repoRoot().resolve("nix");
  }

  private static String evaluate(String fixture) {
    String expr = "import " + nixDir.resolve("lib/manifest.nix") + " (import " + nixDir.resolve("tests/fixtures/" + fixture + ".nix") + ")";
    return CommandRunner.local().run(Command.of("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)).stdout();
  }

  @Test
  void staticFixtureReadsAsTheStaticSpotibox() {
    MachineManifest m = ManifestReader.read(evaluate("static"), "spotibox");

    assertThat(m.vmName()).isEqualTo("qubix-spotibox");
    assertThat(m.network().isStatic()).isTrue();
    assertThat(m.network().staticIp()).isEqualTo(Ipv4.of("192.168.250.10"));
    assertThat(m.network().prefixLength()).isEqualTo(24);
    assertThat(m.network().gateway()).isEqualTo(Ipv4.of("192.168.250.1"));
    assertThat(m.network().natSwitchSubnet()).isEqualTo(Cidr.parse("192.168.250.0/24").orElseThrow());
    assertThat(m.homeDisk().sizeMiB()).isEqualTo(16384);
    assertThat(switchName(m)).isEqualTo("spotibox-nat");
    assertThat(m.image("hyperv").orElseThrow().format()).isEqualTo(ImageFormat.VHDX);
    assertThat(m.image("microvm").orElseThrow().format()).isEqualTo(ImageFormat.QCOW2);
    assertThat(m.network().egress().mode()).isEqualTo(EgressMode.ALLOWLIST);
    assertThat(m.network().egress().domains()).containsExactly("spotify.com", "scdn.co");
  }

  @Test
  void dhcpFixtureUsesTheDefaultSwitch() {
    MachineManifest m = ManifestReader.read(evaluate("dhcp"), "spotibox");

    assertThat(m.network().isStatic()).isFalse();
    assertThat(switchName(m)).isEqualTo("Default Switch");
    assertThat(m.mdnsName()).isEqualTo("spotibox.local");
    assertThat(m.network().egress().mode()).isEqualTo(EgressMode.OPEN);
  }

  @Test
  void homeDiskOffHasNoHomeImage() {
    String doc = evaluate("nohome");
    MachineManifest m = ManifestReader.read(doc, ManifestReader.machineNames(doc).get(0));

    assertThat(m.homeDisk().enable()).isFalse();
    assertThat(m.image("home")).isEmpty();
  }

  @Test
  void debugMachineIsInDebugModeAndSharesTheHomeImage() {
    String doc = evaluate("debug");
    MachineManifest debug = ManifestReader.read(doc, "spotibox-debug");
    MachineManifest prod = ManifestReader.read(doc, "spotibox");

    assertThat(debug.mode()).isEqualTo(Mode.DEBUG);
    assertThat(prod.mode()).isEqualTo(Mode.PROD);
    assertThat(debug.hostName()).isEqualTo("spotibox-debug");
    assertThat(debug.image("home").orElseThrow().packageName()).isEqualTo("spotibox-home-vhdx");
  }

  @Test
  void containerMachineHasOnlyTheNspawnSystemImage() {
    String doc = evaluate("container");
    MachineManifest container = ManifestReader.read(doc, "spotibox-container");
    MachineManifest vm = ManifestReader.read(doc, "spotibox");

    assertThat(container.vmName()).isEqualTo("qubix-spotibox-container");
    assertThat(container.image("nspawn").orElseThrow().format()).isEqualTo(ImageFormat.NIXOS_SYSTEM);
    assertThat(container.image("nspawn").orElseThrow().packageName()).isEqualTo("spotibox-container-toplevel");
    assertThat(container.image("nspawn").orElseThrow().file()).isNull();
    assertThat(container.image("nspawn").orElseThrow().storePath())
        .startsWith("/nix/store/").endsWith("-nixos-system-spotibox-container-25.11.20260501.26ef669");
    assertThat(container.image("hyperv")).isEmpty();
    assertThat(container.image("microvm")).isEmpty();
    assertThat(container.image("home")).isEmpty();
    assertThat(container.homeDisk().enable()).isTrue();
    assertThat(vm.image("nspawn")).isEmpty();
    assertThat(vm.image("microvm").orElseThrow().format()).isEqualTo(ImageFormat.QCOW2);
  }

  @Test
  void flakeChecksScriptPasses() {
    CommandResult r = CommandRunner.local().run(Command.of("bash", nixDir.resolve("tests/check.sh").toString())
        .withTimeout(Duration.ofMinutes(5)).allowingFailure());

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdoutLines()).last().asString().matches("\\d+ passed, 0 failed");
  }

  /** The hyperv section is the Hyper-V backend's; the flake writes the switch name into it. */
  private static String switchName(MachineManifest m) {
    return m.section("hyperv").orElseThrow().cursor().get("switchName").text();
  }
}
