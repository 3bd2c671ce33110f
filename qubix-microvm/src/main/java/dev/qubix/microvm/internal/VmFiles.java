package dev.qubix.microvm.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One VM's folder, {@code <stateDir>/<vmName>/}. {@code home.qcow2} is the user's data; everything
 * else is disposable and rebuilt by recreate.
 */
public record VmFiles(Path dir) {
  public Path system() { return dir.resolve("system.qcow2"); }
  public Path home() { return dir.resolve("home.qcow2"); }
  /** A disposable VM's throwaway overlay over the home disk (or the home image, or blank): made at start, discarded at stop. */
  public Path homeOverlay() { return dir.resolve("home-disposable.qcow2"); }
  /** The new home a restore or import writes before it is renamed over {@link #home()}. */
  public Path newHome() { return dir.resolve("home.qcow2.new"); }
  /** The home's backups: {@code <name>.qcow2} with {@code <name>.json} beside it; kept by destroy, removed by purge. */
  public Path backups() { return dir.resolve("backups"); }
  public Path backup(String name) { return backups().resolve(name + ".qcow2"); }
  public Path backupInfo(String name) { return backups().resolve(name + ".json"); }
  public Path pid() { return dir.resolve("qemu.pid"); }
  /**
   * The QMP socket: in the VM folder, unless that path is too long for a Unix socket address
   * (sun_path holds 108 bytes, and a user's state folder can be deeper). Then it is a socket named by
   * a hash of the folder in a short folder of this user's under the temp dir, which every process
   * derives the same way.
   */
  public Path qmp() {
    Path inside = dir.resolve("qmp.sock");
    if (inside.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
      return inside;
    }
    return shortSocketDir().resolve(sha256(dir.toAbsolutePath().normalize().toString()).substring(0, 24) + ".sock");
  }

  /** Below Linux's 108-byte sun_path, with room for the NUL. */
  static final int MAX_SOCKET_PATH = 100;

  /** {@code <tmp>/qubix-<hash of the user>}: created 0700 by {@link #ensureQmpFolder}. */
  static Path shortSocketDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "qubix-" + sha256(System.getProperty("user.name")).substring(0, 12));
  }

  /**
   * Makes the folder the QMP socket goes in: the VM folder exists already; the short folder must be
   * this user's alone, or another local user could take the socket's place.
   */
  public void ensureQmpFolder() throws IOException {
    Path folder = qmp().getParent();
    if (folder.equals(dir)) {
      return;
    }
    try {
      Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // made by an earlier start: checked below
    }
    if (Files.isSymbolicLink(folder) || !Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS).getName()
        .equals(System.getProperty("user.name"))
        || !Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS).equals(PosixFilePermissions.fromString("rwx------"))) {
      throw new IOException(folder + " (the QMP socket folder for a deep state folder) is not this user's private "
          + "folder: remove it, or choose a shorter state folder");
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
  /** The VM's RDP password (0600, no newline): kept across recreates, removed by destroy --purge. */
  public Path secret() { return dir.resolve("rdp-password"); }
  /** The secret for QEMU's fw_cfg (0600): written just before QEMU starts and deleted once it has, whichever store keeps it. */
  public Path secretHandOver() { return dir.resolve("rdp-password.qemu"); }
  public Path serialLog() { return dir.resolve("serial.log"); }
  public Path ports() { return dir.resolve("ports.json"); }
  public Path imageVersion() { return dir.resolve("image-version"); }
  /** {@code machine=…} and {@code mode=…} lines: which manifest machine made this VM, for listings. */
  public Path machine() { return dir.resolve("machine"); }
  /** Indirect GC roots of the store paths the VM boots from (links made by nix). */
  public Path gcroots() { return dir.resolve("gcroots"); }

  /**
   * Files recreate and destroy may delete; never the home disk or its backups, nor the RDP port: a saved
   * {@code .rdp} file keeps working for as long as the home disk exists, so only a purge deletes it.
   */
  public List<Path> disposable() {
    return List.of(system(), pid(), qmp(), serialLog(), dir.resolve("serial.log.1"), imageVersion(), machine(),
        dir.resolve("system.qcow2.tmp"), dir.resolve("home.qcow2.tmp"), homeOverlay(), newHome(), secretHandOver());
  }
}
