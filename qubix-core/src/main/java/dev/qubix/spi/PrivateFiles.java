package dev.qubix.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Qubix keeps under the state directory is the user's alone: folders {@code 0700}, files
 * {@code 0600}. The home disk holds the user's logins and files, the QMP socket controls the VM, and
 * the VM's secret is its RDP password. Files are created with these permissions (never chmod after a
 * window in which the umask's 0644 applied); a folder found wider is tightened and named in a warning.
 * On a file system without POSIX permissions (Windows) this is plain file creation: Hyper-V's folders
 * get their ACL in the scripts.
 */
public final class PrivateFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);

  public static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  /**
   * The umask for child processes that create files in the state directory (QEMU's serial log, pid
   * file and QMP socket; qemu-img's disks): {@code 0177} makes them 0600, the socket too.
   */
  public static final String CHILD_UMASK = "0177";

  private PrivateFiles() {}

  /**
   * Makes {@code dir} and every missing folder between {@code root} and it (root included) with
   * {@code 0700}; an existing one of them that grants group or others anything is tightened, with a
   * warning. {@code dir} must be {@code root} or inside it.
   */
  public static Path directories(Path root, Path dir) throws IOException {
    Path r = root.toAbsolutePath().normalize();
    Path d = dir.toAbsolutePath().normalize();
    if (!d.startsWith(r)) {
      throw new IllegalArgumentException(d + " is not inside " + r);
    }
    if (!posix(r)) {
      return Files.createDirectories(d);
    }
    Path parent = r.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent, dirAttribute());
    }
    List<Path> chain = new ArrayList<>();
    chain.add(r);
    Path at = r;
    for (Path name : r.relativize(d)) {
      if (name.toString().isEmpty()) {
        continue;
      }
      at = at.resolve(name);
      chain.add(at);
    }
    for (Path p : chain) {
      try {
        Files.createDirectory(p, dirAttribute());
      } catch (FileAlreadyExistsException e) {
        tighten(p);
      }
    }
    return d;
  }

  /** {@link #directories(Path, Path)} for the root alone. */
  public static Path directory(Path root) throws IOException {
    return directories(root, root);
  }

  /** Writes {@code content} to a new or existing file that is {@code 0600} from its first byte. */
  public static void writeString(Path file, String content) throws IOException {
    write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void write(Path file, byte[] content) throws IOException {
    try (FileChannel ch = open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  /**
   * Opens (creating it {@code 0600} if needed) a file; an existing file wider than that is tightened
   * first, so what is written next is never readable by others.
   */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    if (!posix(file)) {
      return FileChannel.open(file, options);
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) {
      Set<PosixFilePermission> now = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (!FILE.containsAll(now)) {
        Files.setPosixFilePermissions(file, FILE);
      }
    }
    return FileChannel.open(file, Set.of(options), PosixFilePermissions.asFileAttribute(FILE));
  }

  /**
   * {@code argv} run through {@code /bin/sh} with {@link #CHILD_UMASK}: Java cannot set a child's
   * umask, and QEMU creates its socket, pid file and log with whatever umask it inherits. The shell
   * {@code exec}s the program, so the process that remains is the program with exactly {@code argv}.
   */
  public static List<String> withPrivateUmask(List<String> argv) {
    List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + CHILD_UMASK + " && exec \"$@\"", "qubix-umask"));
    wrapped.addAll(argv);
    return wrapped;
  }

  private static FileAttribute<Set<PosixFilePermission>> dirAttribute() {
    return PosixFilePermissions.asFileAttribute(DIR);
  }

  private static void tighten(Path dir) throws IOException {
    if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(dir)) {
        throw new IOException(dir + " exists and is not a folder");
      }
      return;   // a link the user made on purpose (e.g. the state dir on another disk): its target is theirs
    }
    Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
    if (!DIR.containsAll(now)) {
      Files.setPosixFilePermissions(dir, DIR);
      if (DIR.containsAll(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))) {
        LOG.warn("{} was {}: made it {} (Qubix keeps disks, sockets and secrets there, for this user only)", dir,
            PosixFilePermissions.toString(now), PosixFilePermissions.toString(DIR));
      } else {
        // a file system that ignores modes (WSL's /mnt/c without "metadata"): warning on every call helps no one
        LOG.debug("{} stays {}: its file system ignores permissions", dir, PosixFilePermissions.toString(now));
      }
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
