package dev.qubix.nspawn.internal;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command lines of one container: systemd-nspawn and its slirp4netns. Pure, so they are unit-tested. */
final class NspawnArgs {
  /** The credential the guest reads its RDP password from ({@code $CREDENTIALS_DIRECTORY/qubix.rdp-password}). */
  static final String CREDENTIAL = "qubix.rdp-password";
  /** Where slirp4netns puts the container (its {@code --configure} default), and the host side. */
  static final String GUEST_ADDRESS = "10.0.2.100";
  /** slirp4netns's own MTU maximum: fewer, larger packets through user-mode networking. */
  static final int MTU = 65520;

  /** What the container boots: a rootfs copy's {@code /sbin/init}, or a NixOS toplevel's {@code init}. */
  record Boot(ImageFormat format, Path image) {
    Boot {
      if (format != ImageFormat.ROOTFS && format != ImageFormat.NIXOS_SYSTEM) {
        throw new IllegalArgumentException(format.jsonName() + " is not a container image");
      }
    }

    String init() {
      return format == ImageFormat.ROOTFS ? "/sbin/init" : image.resolve("init").toString();
    }

    /**
     * The signal nspawn sends PID 1 when it gets SIGTERM: systemd halts on SIGRTMIN+3; busybox init
     * (and a shell init that traps it) shuts down on SIGTERM.
     */
    String killSignal() {
      return killSignalOf(format);
    }

    static String killSignalOf(ImageFormat format) {
      return format == ImageFormat.NIXOS_SYSTEM ? "SIGRTMIN+3" : "SIGTERM";
    }
  }

  private NspawnArgs() {}

  /**
   * systemd-nspawn in the container's own network namespace. Without systemd as PID 1 there is no
   * machined to register with and no bus to make a scope on, so {@code --register=no --keep-unit}.
   */
  static List<String> nspawn(NspawnTools tools, MachineManifest m, ContainerFiles f, Boot boot, boolean home) {
    return nspawn(tools, m, f, boot, home ? HomeMount.bind(f.home()) : HomeMount.NONE);
  }

  /** How /home is mounted: not at all, the home folder bound, or an overlay whose upper folder takes every write. */
  record HomeMount(Optional<String> option) {
    static final HomeMount NONE = new HomeMount(Optional.empty());

    static HomeMount bind(Path home) {
      return new HomeMount(Optional.of("--bind=" + home + ":/home"));
    }

    /** systemd-nspawn makes the overlay's work folder beside {@code upper}; {@code lower} is only read. */
    static HomeMount overlay(Path lower, Path upper) {
      return new HomeMount(Optional.of("--overlay=" + lower + ":" + upper + ":/home"));
    }
  }

  static List<String> nspawn(NspawnTools tools, MachineManifest m, ContainerFiles f, Boot boot, HomeMount home) {
    List<String> a = new ArrayList<>(List.of(tools.nspawn(), "--quiet", "--directory=" + f.root(), "--machine=" + f.name(),
        "--hostname=" + m.hostName()));
    if (tools.systemdIsPid1()) {
      a.add("--register=yes");
    } else {
      a.addAll(List.of("--register=no", "--keep-unit"));
    }
    a.addAll(List.of("--network-namespace-path=" + f.netns(), "--console=read-only", "--link-journal=no",
        "--kill-signal=" + boot.killSignal(), "--load-credential=" + CREDENTIAL + ":" + f.secret()));
    if (boot.format() == ImageFormat.NIXOS_SYSTEM) {
      // as NixOS containers do: the toplevel and everything it needs are in the host's store
      a.add("--bind-ro=/nix/store");
      // NixOS's firewall and nftables (the egress allowlist) configure the container's own network
      // namespace. systemd-nspawn keeps CAP_NET_ADMIN for --private-network but not for
      // --network-namespace-path (measured with systemd 252), so without this they fail at boot.
      a.add("--capability=CAP_NET_ADMIN");
    }
    home.option().ifPresent(a::add);
    a.add("--");
    a.add(boot.init());
    return a;
  }

  /** User-mode networking for the namespace: the guest gets 10.0.2.100 and can reach out, not the host's loopback. */
  static List<String> slirp(NspawnTools tools, ContainerFiles f) {
    return List.of(tools.slirp4netns(), "--configure", "--mtu=" + MTU, "--disable-host-loopback",
        "--api-socket=" + f.slirpSocket(), "--netns-type=path", f.netns().toString(), "tap0");
  }
}
