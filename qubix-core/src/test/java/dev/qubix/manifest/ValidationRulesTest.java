package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ManifestException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** One failing example per validation rule of core, each with the message a user sees. */
class ValidationRulesTest {
  private static final String BASE = ManifestReaderTest.resource("spotibox-v3.json");
  private static final String P = "/machines/spotibox";

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of("{\"hostName\": \"spoti box\"}", P + "/hostName: 'spoti box' is not allowed"),
        Arguments.of("{\"vmName\": \"-x\"}", P + "/vmName: '-x' is not allowed"),
        Arguments.of("{\"vmName\": null}", P + "/vmName: missing (required)"),
        Arguments.of("{\"hostName\": 5}", P + "/hostName: 5 must be a string"),
        Arguments.of("{\"mode\": \"fast\"}", P + "/mode: 'fast' is not allowed: use prod or debug"),
        Arguments.of("{\"cpuCount\": 0}", P + "/cpuCount: 0 is out of range: 1..64"),
        Arguments.of("{\"cpuCount\": 65}", P + "/cpuCount: 65 is out of range: 1..64"),
        Arguments.of("{\"cpuCount\": 1.5}", P + "/cpuCount: 1.5 must be a whole number"),
        Arguments.of("{\"memoryStartupBytes\": 1048576}", P + "/memoryStartupBytes: 1048576 is out of range: at least 256 MiB"),
        Arguments.of("{\"memoryStartupBytes\": 8589934592}", P + "/memoryStartupBytes: 8 GiB is more than maxMemoryBytes 6 GiB"),
        Arguments.of("{\"network\": {\"staticIp\": \"192.168.251.10\"}}", P + "/network/staticIp: 192.168.251.10 is outside natSwitchSubnet 192.168.250.0/24"),
        Arguments.of("{\"network\": {\"gateway\": \"10.0.0.1\"}}", P + "/network/gateway: 10.0.0.1 is outside natSwitchSubnet 192.168.250.0/24"),
        Arguments.of("{\"network\": {\"gateway\": null}}", P + "/network/gateway: missing (required when network.mode is static)"),
        Arguments.of("{\"network\": {\"staticIp\": \"192.168.250.010\"}}", P + "/network/staticIp: '192.168.250.010' is not an IPv4 address"),
        Arguments.of("{\"network\": {\"staticIp\": \"192.168.250.256\"}}", P + "/network/staticIp: '192.168.250.256' is not an IPv4 address"),
        Arguments.of("{\"network\": {\"staticIp\": \"192.168.250.255\"}}", P + "/network/staticIp: 192.168.250.255 is the network or broadcast address"),
        Arguments.of("{\"network\": {\"gateway\": \"192.168.250.10\"}}", P + "/network/gateway: 192.168.250.10 is also the staticIp"),
        Arguments.of("{\"network\": {\"prefixLength\": 31}}", P + "/network/prefixLength: 31 is out of range: 1..30"),
        Arguments.of("{\"network\": {\"natSwitchSubnet\": \"192.168.250.1/24\"}}", P + "/network/natSwitchSubnet: '192.168.250.1/24' is not a network"),
        Arguments.of("{\"network\": {\"natSwitchSubnet\": \"192.168.0.0/16\"}}", P + "/network/natSwitchSubnet: 192.168.0.0/16 does not match prefixLength 24"),
        Arguments.of("{\"network\": {\"nameservers\": [\"dns.example\"]}}", P + "/network/nameservers/0: 'dns.example' is not an IPv4 address"),
        Arguments.of("{\"network\": {\"mode\": \"dhcp\"}}", P + "/network/staticIp: not allowed when network.mode is dhcp"),
        Arguments.of("{\"network\": {\"mode\": \"bridge\"}}", P + "/network/mode: 'bridge' is not a network mode: use dhcp or static"),
        Arguments.of("{\"network\": null}", P + "/network: missing"),
        Arguments.of("{\"network\": {\"egress\": {\"mode\": \"proxy\"}}}", P + "/network/egress/mode: 'proxy' is not allowed: use open or allowlist"),
        Arguments.of("{\"network\": {\"egress\": {\"mode\": \"allowlist\", \"domains\": []}}}", P + "/network/egress/domains: allowlist mode needs at least one domain"),
        Arguments.of("{\"network\": {\"egress\": {\"mode\": \"allowlist\", \"domains\": [\"spo tify.com\"]}}}", P + "/network/egress/domains/0: 'spo tify.com' is not a domain name"),
        Arguments.of("{\"network\": {\"egress\": \"open\"}}", P + "/network/egress: must be an object"),
        Arguments.of("{\"homeDisk\": {\"label\": \"a label that is far too long\"}}", P + "/homeDisk/label: 'a label that is far too long' is not a filesystem label"),
        Arguments.of("{\"homeDisk\": {\"sizeMiB\": 1}}", P + "/homeDisk/sizeMiB: 1 is out of range: 64 MiB to 16 TiB"),
        Arguments.of("{\"homeDisk\": {\"enable\": \"yes\"}}", P + "/homeDisk/enable: 'yes' must be true or false"),
        Arguments.of("{\"rdp\": {\"port\": 0}}", P + "/rdp/port: 0 is out of range: 1..65535"),
        Arguments.of("{\"rdp\": {\"port\": 65536}}", P + "/rdp/port: 65536 is out of range: 1..65535"),
        Arguments.of("{\"rdp\": {\"user\": \"Root;rm\"}}", P + "/rdp/user: 'Root;rm' is not a Linux user name"),
        Arguments.of("{\"rdp\": {\"width\": 100}}", P + "/rdp/width: 100 is out of range: 640..8192"),
        Arguments.of("{\"mdnsName\": \"spoti box.local\"}", P + "/mdnsName: 'spoti box.local' is not a DNS name"),
        Arguments.of("{\"images\": {\"hyperv\": {\"format\": \"iso\"}}}", P + "/images/hyperv/format: 'iso' is not an image format: use vhdx, qcow2, raw, direct, rootfs or nixos-system"),
        Arguments.of("{\"images\": {\"hyperv\": {\"package\": \"$(evil)\"}}}", P + "/images/hyperv/package: '$(evil)' is not a flake output name"),
        Arguments.of("{\"images\": {\"hyperv\": {\"file\": \"../../etc/passwd\"}}}", P + "/images/hyperv/file: '../../etc/passwd' must be a relative path"),
        Arguments.of("{\"images\": {\"hyperv\": {\"path\": \"relative/x.vhdx\"}}}", P + "/images/hyperv/path: 'relative/x.vhdx' must be an absolute path"),
        Arguments.of("{\"images\": {\"Bad Key\": {}}}", P + "/images/Bad Key: 'Bad Key' is not an image key"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("rules")
  void rejectsWithPointerAndRule(String override, String expectedStart) {
    assertThatThrownBy(() -> ManifestReader.read(BASE, "spotibox", override))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining(expectedStart);
  }

  /**
   * The 2 MiB rule is Hyper-V's (qubix-hyperv's HyperVManifestRulesTest has it and the hyperv
   * section's rules): a machine without a hyperv section (QEMU only) keeps any size.
   */
  @Test
  void memoryAlignmentIsRequiredOnlyForMachinesWithAHyperVSection() {
    MachineManifest m = ManifestReader.read(BASE, "spotibox", "{\"hyperv\": null, \"memoryStartupBytes\": 2148532224}");

    assertThat(m.memoryStartup().bytes()).isEqualTo(2148532224L);
  }

  @Test
  void reportsEveryViolationAtOnce() {
    ManifestException e = (ManifestException) org.assertj.core.api.Assertions.catchThrowable(() ->
        ManifestReader.read(BASE, "spotibox", "{\"cpuCount\": 0, \"rdp\": {\"port\": 0}}"));

    assertThat(e.violations()).extracting(ManifestException.Violation::pointer)
        .containsExactly(P + "/cpuCount", P + "/rdp/port");
    assertThat(e.getMessage()).startsWith("2 problems in the manifest:");
  }

  @Test
  void rejectsOverlongStrings() {
    String huge = "x".repeat(10_000);
    assertThatThrownBy(() -> ManifestReader.read(BASE, "spotibox", "{\"hostName\": \"" + huge + "\"}"))
        .hasMessageStartingWith(P + "/hostName: is 10000 characters long; at most 4096 are allowed");
  }
}
