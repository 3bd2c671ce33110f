package dev.qubix.nspawn.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * One container's folder, {@code <stateDir>/<vmName>/}. {@code home/} is the user's data; the root
 * folder is the fresh system layer recreate rebuilds; the rest says what runs.
 */
public record ContainerFiles(Path dir) {
  /** Below Linux's 108-byte sun_path, with room for the NUL. */
  static final int MAX_SOCKET_PATH = 100;
  /** Where network namespaces live by name, as {@code ip netns} makes them. */
  static final Path NETNS_DIR = Path.of("/run/netns");
  /** Root-only sockets of containers whose folder is too deep for a socket path. */
  static final Path SHORT_SOCKET_DIR = Path.of("/run/qubix-nspawn");

  public ContainerFiles {
    dir = dir.toAbsolutePath().normalize();
  }

  /** The container's root folder: a copy of a rootfs image, or an empty root a NixOS toplevel fills at boot. */
  public Path root() { return dir.resolve("root"); }
  /** The root folder being made; renamed to {@link #root()} once whole. */
  public Path rootTmp() { return dir.resolve("root.tmp"); }
  /** The root folder of the previous system layer, on its way out. */
  public Path rootOld() { return dir.resolve("root.old"); }
  /** systemd-nspawn's lock beside the root folder it runs. */
  public Path rootLock() { return dir.resolve(".#root.lck"); }
  /** Kept across recreates and destroys; bind-mounted at {@code /home}. */
  public Path home() { return dir.resolve("home"); }
  /** Copies of the home folder, {@code backups/<name>/} with {@code <name>.json}; kept by destroy, removed by purge. */
  public Path backups() { return dir.resolve("backups"); }
  public Path backup(String name) { return backups().resolve(name); }
  public Path backupInfo(String name) { return backups().resolve(name + ".json"); }
  /** A backup being copied; renamed to {@link #backup} once whole. */
  public Path backupTmp(String name) { return backups().resolve(name + ".tmp"); }
  /** A restored or imported home being written; renamed to {@link #newHome()} once whole. */
  public Path newHomeTmp() { return dir.resolve("home.new.tmp"); }
  /** A whole restored or imported home, waiting for the rename that makes it the home. */
  public Path newHome() { return dir.resolve("home.new"); }
  /** {@code disposable} while the container runs on a throwaway overlay over its home; absent: persistent. */
  public Path homeMode() { return dir.resolve("home-mode"); }
  /** A disposable home's overlay: {@code upper/} (what the container wrote) and the work folder beside it. */
  public Path homeOverlay() { return dir.resolve("home-overlay"); }
  public Path homeUpper() { return homeOverlay().resolve("upper"); }
  /** The empty lower layer of a disposable container that has no home folder. */
  public Path emptyHome() { return homeOverlay().resolve("empty"); }
  public Path pid() { return dir.resolve("nspawn.pid"); }
  public Path slirpPid() { return dir.resolve("slirp4netns.pid"); }
  /** What the container's console printed; read by {@code qubixctl logs}. */
  public Path consoleLog() { return dir.resolve("console.log"); }
  public Path slirpLog() { return dir.resolve("slirp4netns.log"); }
  /** The container's RDP password (0600): handed over with --load-credential, never on a command line. */
  public Path secret() { return dir.resolve("rdp-password"); }
  public Path ports() { return dir.resolve("ports.json"); }
  /**
   * {@code <format> <image path>}: written last by recreate; its presence means the container exists.
   * Not microvm's {@code image-version}, so neither backend lists the other's VMs from a shared state folder.
   */
  public Path imageVersion() { return dir.resolve("container-image"); }
  public Path machine() { return dir.resolve("machine"); }
  public Path gcroots() { return dir.resolve("gcroots"); }

  /**
   * The container's machine name and network namespace name: the VM name (as a host name allows it)
   * and a hash of this folder, so two state folders with the same VM name never share a namespace.
   */
  public String name() {
    String vm = dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    vm = vm.length() > 40 ? vm.substring(0, 40) : vm;
    return vm + "-" + hash(dir.toString()).substring(0, 8);
  }

  public Path netns() {
    return NETNS_DIR.resolve(name());
  }

  /** slirp4netns's API socket: in the folder, or under /run when the folder is too deep for a socket path. */
  public Path slirpSocket() {
    Path inside = dir.resolve("slirp.sock");
    if (inside.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
      return inside;
    }
    return SHORT_SOCKET_DIR.resolve(name() + ".sock");
  }

  /** Files recreate and destroy may delete (the root folders go separately); never home, the port or the secret. */
  public List<Path> disposable() {
    return List.of(pid(), slirpPid(), slirpSocket(), consoleLog(), dir.resolve("console.log.1"), slirpLog(),
        imageVersion(), machine(), rootLock(), homeMode());
  }

  private static String hash(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
