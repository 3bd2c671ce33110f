package dev.qubix.nspawn.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command lines of a container: what each image format boots, how it stops, what is bound, and no secret. */
class NspawnArgsTest {
  private static final ContainerFiles F = new ContainerFiles(Path.of("/state/qubix-box"));
  private static final NspawnTools UNREGISTERED = new NspawnTools("/usr/bin/systemd-nspawn", "/usr/bin/slirp4netns",
      "/usr/sbin/ip", true, true, true, false);
  private static final NspawnTools REGISTERED = new NspawnTools("/usr/bin/systemd-nspawn", "/usr/bin/slirp4netns",
      "/usr/sbin/ip", true, true, true, true);
  private static final MachineManifest BOX = ManifestReader.read(TestManifest.machine("box").withHomeDisk(64).json(), "box");

  @Test
  void aRootfsBootsItsSbinInitStopsOnSigtermAndGetsHomeAndTheSecretByPath() {
    List<String> argv = NspawnArgs.nspawn(UNREGISTERED, BOX, F,
        new NspawnArgs.Boot(ImageFormat.ROOTFS, Path.of("/nix/store/x-rootfs")), true);

    assertThat(argv).containsExactly("/usr/bin/systemd-nspawn", "--quiet", "--directory=/state/qubix-box/root",
        "--machine=" + F.name(), "--hostname=box", "--register=no", "--keep-unit",
        "--network-namespace-path=/run/netns/" + F.name(), "--console=read-only", "--link-journal=no",
        "--kill-signal=SIGTERM", "--load-credential=qubix.rdp-password:/state/qubix-box/rdp-password",
        "--bind=/state/qubix-box/home:/home", "--", "/sbin/init");
  }

  @Test
  void aNixosSystemBootsItsToplevelInitWithTheStoreReadOnlyAndHaltsOnSigrtminPlus3() {
    List<String> argv = NspawnArgs.nspawn(UNREGISTERED, BOX, F,
        new NspawnArgs.Boot(ImageFormat.NIXOS_SYSTEM, Path.of("/nix/store/x-nixos-system")), false);

    assertThat(argv).contains("--kill-signal=SIGRTMIN+3", "--bind-ro=/nix/store")
        .doesNotContain("--bind=/state/qubix-box/home:/home");
    // its firewall (and nftables egress allowlist) configures the container's own namespace
    assertThat(argv).contains("--capability=CAP_NET_ADMIN");
    assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("--", "/nix/store/x-nixos-system/init");
  }

  @Test
  void aDisposableHomeIsAnOverlayWhoseUpperFolderTakesEveryWriteAndTheHomeFolderIsItsLowerLayer() {
    List<String> argv = NspawnArgs.nspawn(UNREGISTERED, BOX, F, new NspawnArgs.Boot(ImageFormat.ROOTFS, Path.of("/r")),
        NspawnArgs.HomeMount.overlay(F.home(), F.homeUpper()));

    assertThat(argv).contains("--overlay=/state/qubix-box/home:/state/qubix-box/home-overlay/upper:/home")
        .noneMatch(a -> a.startsWith("--bind=/state/qubix-box/home"));
    assertThat(argv.indexOf("--overlay=/state/qubix-box/home:/state/qubix-box/home-overlay/upper:/home"))
        .isLessThan(argv.indexOf("--"));
  }

  @Test
  void withSystemdAsPid1MachinedRegistersTheContainer() {
    List<String> argv = NspawnArgs.nspawn(REGISTERED, BOX, F, new NspawnArgs.Boot(ImageFormat.ROOTFS, Path.of("/r")), true);

    assertThat(argv).contains("--register=yes").doesNotContain("--register=no", "--keep-unit");
  }

  @Test
  void slirpServesTheNamedNamespaceWithoutTheHostsLoopback() {
    assertThat(NspawnArgs.slirp(UNREGISTERED, F)).containsExactly("/usr/bin/slirp4netns", "--configure", "--mtu=65520",
        "--disable-host-loopback", "--api-socket=/state/qubix-box/slirp.sock", "--netns-type=path",
        "/run/netns/" + F.name(), "tap0");
  }

  @Test
  void theNameIsTheVmNameAndAHashOfItsFolderSoTwoStateFoldersNeverShareANamespace() {
    ContainerFiles other = new ContainerFiles(Path.of("/other/qubix-box"));

    assertThat(F.name()).matches("qubix-box-[0-9a-f]{8}");
    assertThat(other.name()).startsWith("qubix-box-").isNotEqualTo(F.name());
    assertThat(new ContainerFiles(Path.of("/s/Very_Long.Name" + "x".repeat(60))).name()).matches("[a-z0-9-]{40}-[0-9a-f]{8}");
  }

  @Test
  void aDeepFolderPutsTheSlirpSocketUnderRun() {
    ContainerFiles deep = new ContainerFiles(Path.of("/" + "d".repeat(100) + "/qubix-box"));

    assertThat(deep.slirpSocket()).isEqualTo(Path.of("/run/qubix-nspawn/" + deep.name() + ".sock"));
  }

  @Test
  void onlyContainerFormatsBoot() {
    assertThatThrownBy(() -> new NspawnArgs.Boot(ImageFormat.QCOW2, Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qcow2 is not a container image");
  }
}
