package dev.qubix.nspawn.internal;

import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host programs a container needs, where they are, and how this host runs containers:
 * {@code systemd-nspawn} (Debian: systemd-container), {@code slirp4netns} (the container's network and
 * its forwarded port, without systemd-networkd or a firewall), {@code ip} (the network namespace) and
 * whether systemd is PID 1 (then machined registers the container and {@code machinectl} sees it).
 */
public record NspawnTools(String nspawn, String slirp4netns, String ip, boolean nspawnFound, boolean slirpFound,
    boolean ipFound, boolean systemdIsPid1) {

  public static NspawnTools of(HostInfo host) {
    Optional<Path> nspawn = host.which("systemd-nspawn");
    Optional<Path> slirp = host.which("slirp4netns");
    Optional<Path> ip = host.which("ip").or(() -> Optional.of(Path.of("/usr/sbin/ip")).filter(Files::isExecutable))
        .or(() -> Optional.of(Path.of("/sbin/ip")).filter(Files::isExecutable));
    return new NspawnTools(nspawn.map(Path::toString).orElse("systemd-nspawn"), slirp.map(Path::toString).orElse("slirp4netns"),
        ip.map(Path::toString).orElse("ip"), nspawn.isPresent(), slirp.isPresent(), ip.isPresent(), systemdBooted());
  }

  /** The program missing and the package that brings it, when one is. */
  public Optional<String> missing() {
    if (!nspawnFound) {
      return Optional.of("systemd-nspawn not found: install systemd-container (apt-get install systemd-container)");
    }
    if (!slirpFound) {
      return Optional.of("slirp4netns not found: install slirp4netns (apt-get install slirp4netns); it gives the "
          + "container its network and forwards its RDP port");
    }
    if (!ipFound) {
      return Optional.of("ip not found: install iproute2 (apt-get install iproute2)");
    }
    return Optional.empty();
  }

  /** sd_booted(): systemd made this folder, so it runs as PID 1 and machined can be asked. */
  private static boolean systemdBooted() {
    return Files.isDirectory(Path.of("/run/systemd/system"));
  }
}
