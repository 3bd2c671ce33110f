package dev.qubix.nspawn.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.CommandFailedException;
import dev.qubix.ConfigurationException;
import dev.qubix.HomeBackup;
import dev.qubix.QubixException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Command;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HomeRequest;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A container's home folder and its backups ({@code backups/<name>/} with {@code <name>.json}).
 * Every copy is {@code cp -a --reflink=auto} (no space used where the file system shares blocks) to a
 * temporary name, renamed into place when whole; the folder a restore reads is only ever read.
 */
final class HomeFolders {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration COPY_TIMEOUT = Duration.ofHours(2);

  private final BackendContext context;
  private final ContainerFiles f;

  HomeFolders(BackendContext context, ContainerFiles f) {
    this.context = context;
    this.f = f;
  }

  // ---- reading

  List<HomeBackup> list() {
    if (!Files.isDirectory(f.backups())) {
      return List.of();
    }
    List<HomeBackup> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(f.backups())) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.endsWith(".tmp") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(read(name));
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot list the backups in " + f.backups() + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(HomeBackup::time).thenComparing(HomeBackup::name));
    return out;
  }

  private HomeBackup read(String name) throws IOException {
    Path dir = f.backup(name);
    Instant time = Files.getLastModifiedTime(dir).toInstant();
    Optional<String> image = Optional.empty();
    boolean automatic = HomeRequest.isAutomatic(name);
    long size = -1;
    try {
      JsonNode info = JSON.readTree(Files.readString(f.backupInfo(name)));
      time = Instant.parse(info.path("time").asText(time.toString()));
      image = Optional.ofNullable(info.path("imageVersion").textValue());
      automatic = info.path("automatic").asBoolean(automatic);
      size = info.path("sizeBytes").asLong(-1);
    } catch (NoSuchFileException e) {
      // a backup copied in by hand: its folder's time, no image version
    } catch (RuntimeException e) {
      // an unreadable description still leaves the backup listed
    }
    return new HomeBackup(name, time, size >= 0 ? size : sizeOf(dir), image, automatic);
  }

  boolean exists(String name) {
    return Files.isDirectory(f.backup(name), LinkOption.NOFOLLOW_LINKS);
  }

  void requireBackup(String vmName, String name) {
    if (!exists(name)) {
      throw new ConfigurationException("no backup named '" + name + "' of " + vmName + ": 'qubixctl home list' shows them");
    }
  }

  void requireNewName(String vmName, String name) {
    if (exists(name)) {
      throw new ConfigurationException("a backup named '" + name + "' of " + vmName + " exists: choose another name, or "
          + "delete it first with 'qubixctl home delete " + name + "'");
    }
  }

  void requireHome(String vmName) {
    if (!Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS)) {
      throw new ConfigurationException(vmName + " has no home folder (" + f.home() + ") to copy: it is made by the first "
          + "persistent up or recreate");
    }
  }

  /** Refuses, before a copy starts, one that cannot fit (reflinks may need less; this is the worst case). */
  void requireSpace(Path dir, long bytes, String what) {
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      long free = Files.getFileStore(existing).getUsableSpace();
      if (free < bytes) {
        throw new ConfigurationException("not enough space for " + what + " in " + dir + ": it needs up to "
            + (bytes >> 20) + " MiB, " + (free >> 20) + " MiB are free; free some space and retry (nothing was changed)");
      }
    } catch (IOException e) {
      throw new QubixException("cannot read the free space of " + dir + ": " + e.getMessage(), e);
    }
  }

  // ---- copies

  /** {@code cp -a --reflink=auto from to}: owners, modes, times and links as they are; {@code to} must not exist. */
  void copy(Path from, Path to, String what) {
    long total = sizeOf(from);
    progress(what, 0, total);
    try {
      Trees.delete(to);
      context.runner().run(Command.of("cp", "-a", "--reflink=auto", "--", from.toString(), to.toString())
          .withTimeout(COPY_TIMEOUT));
    } catch (CommandFailedException e) {
      deleteQuietly(to);
      String why = String.join(" ", e.stderrTail());
      if (why.contains("No space left on device")) {
        throw new ConfigurationException("no space left on the device of " + to.getParent() + " to " + what
            + ": free some space and retry; nothing was changed (the partial copy was removed)");
      }
      throw new QubixException("could not " + what + ": " + why + " (the partial copy was removed)", e);
    } catch (IOException e) {
      deleteQuietly(to);
      throw new QubixException("could not " + what + ": " + e.getMessage(), e);
    }
    progress(what, total, total);
  }

  /** Writes the backup's description, then renames the whole copy into place: it exists whole or not at all. */
  void keep(Path tmp, String name, boolean automatic) {
    try {
      describe(name, sizeOf(tmp), automatic);
      Files.move(tmp, f.backup(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot keep the backup " + f.backup(name) + ": " + e.getMessage(), e);
    }
  }

  private void describe(String name, long size, boolean automatic) throws IOException {
    ObjectNode info = JSON.createObjectNode();
    info.put("time", context.clock().instant().toString());
    imageVersion().ifPresent(v -> info.put("imageVersion", v));
    info.put("automatic", automatic);
    info.put("sizeBytes", size);
    PrivateFiles.writeString(f.backupInfo(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n");
  }

  /** The image path the container was made from (the second word of {@code container-image}). */
  Optional<String> imageVersion() {
    return imageVersion(f);
  }

  static Optional<String> imageVersion(ContainerFiles f) {
    try {
      String[] line = Files.readString(f.imageVersion()).strip().split(" ", 2);
      return Optional.of(line[line.length - 1]);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The current home becomes the automatic backup {@code name} by a rename: no copy, nothing lost. */
  void keepCurrent(String name) {
    if (!Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      backupsFolder();
      describe(name, sizeOf(f.home()), true);
      Files.move(f.home(), f.backup(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot keep the current home as " + name + ": " + e.getMessage(), e);
    }
  }

  /** The whole new home takes the home's place in one rename. */
  void switchHome() {
    try {
      Files.move(f.newHome(), f.home(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot put the new home " + f.newHome() + " in place: " + e.getMessage(), e);
    }
  }

  /**
   * Finishes a restore a crash interrupted between keeping the old home and the switch: the new home
   * is whole once named {@code home.new}, so it becomes the home; an unfinished {@code home.new.tmp} goes.
   */
  void repair() {
    try {
      Trees.delete(f.newHomeTmp());
      if (Files.isDirectory(f.newHome(), LinkOption.NOFOLLOW_LINKS)) {
        if (Files.exists(f.home(), LinkOption.NOFOLLOW_LINKS)) {
          Trees.delete(f.newHome());
        } else {
          switchHome();
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot tidy the restored home in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  void delete(String name) {
    try {
      Trees.delete(f.backup(name));
      Files.deleteIfExists(f.backupInfo(name));
    } catch (IOException e) {
      throw new QubixException("cannot delete the backup " + f.backup(name) + ": " + e.getMessage(), e);
    }
  }

  /** Keeps the newest {@code keep} backups whose names start with {@code prefix}; deletes the older ones. */
  void prune(String prefix, int keep) {
    List<HomeBackup> mine = list().stream().filter(b -> b.name().startsWith(prefix)).toList();
    for (int i = 0; i < mine.size() - keep; i++) {
      delete(mine.get(i).name());
    }
  }

  /** {@code base}, or {@code base-2}, {@code base-3}… when taken (two automatic backups in one second). */
  String unused(String base) {
    String name = base;
    for (int i = 2; exists(name) || Files.exists(f.backupInfo(name)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  /** The backups folder, private; temporary copies and descriptions a crash left in it are removed. */
  Path backupsFolder() {
    try {
      PrivateFiles.directories(f.dir().getParent(), f.backups());
      try (Stream<Path> files = Files.list(f.backups())) {
        for (Path p : files.toList()) {
          String n = p.getFileName().toString();
          if (n.endsWith(".tmp")) {
            Trees.delete(p);
          } else if (n.endsWith(".json") && !exists(n.substring(0, n.length() - ".json".length()))) {
            Files.deleteIfExists(p);
          }
        }
      }
      return f.backups();
    } catch (IOException e) {
      throw new QubixException("cannot prepare " + f.backups() + ": " + e.getMessage(), e);
    }
  }

  // ---- archives

  /** Whether the archive is gzip-compressed, from its name: {@code .tar}, {@code .tar.gz} or {@code .tgz}. */
  static boolean gzipped(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
      return true;
    }
    if (n.endsWith(".tar")) {
      return false;
    }
    throw new ConfigurationException(file + ": a container's home is exported and imported as a tar archive; the file "
        + "name must end in .tar, .tar.gz or .tgz");
  }

  /** The home as a tar archive (numeric owners: the container's users are not the host's), renamed when whole. */
  void export(Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    String what = "export the home of " + f.dir().getFileName() + " to " + file;
    List<String> argv = new ArrayList<>(List.of("tar", "--create", "--numeric-owner", "--file=" + tmp,
        "--directory=" + f.home()));
    if (gzipped(file)) {
      argv.add("--gzip");
    }
    argv.add(".");
    try {
      Files.deleteIfExists(tmp);
      progress(what, 0, -1);
      context.runner().run(Command.of(argv).withTimeout(COPY_TIMEOUT));
      // a plain rename (no REPLACE_EXISTING): a file that appeared since the preflight is never overwritten
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      progress(what, sizeOf(file), sizeOf(file));
    } catch (CommandFailedException e) {
      deleteQuietly(tmp);
      throw new QubixException("could not " + what + ": " + String.join(" ", e.stderrTail()) + " (the partial file was removed)", e);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new QubixException("could not " + what + ": " + e.getMessage(), e);
    }
  }

  /** Unpacks a checked archive ({@link HomeArchive#check}) into {@code home.new.tmp}, then names it {@code home.new}. */
  void unpack(Path file) {
    String what = "import " + file + " as the home of " + f.dir().getFileName();
    List<String> argv = new ArrayList<>(List.of("tar", "--extract", "--numeric-owner", "--same-permissions",
        "--file=" + file, "--directory=" + f.newHomeTmp()));
    if (gzipped(file)) {
      argv.add("--gzip");
    }
    try {
      Trees.delete(f.newHomeTmp());
      Trees.delete(f.newHome());
      Files.createDirectory(f.newHomeTmp());
      progress(what, 0, -1);
      context.runner().run(Command.of(argv).withTimeout(COPY_TIMEOUT));
      Files.move(f.newHomeTmp(), f.newHome(), StandardCopyOption.ATOMIC_MOVE);
      progress(what, sizeOf(f.newHome()), sizeOf(f.newHome()));
    } catch (CommandFailedException e) {
      deleteQuietly(f.newHomeTmp());
      throw new QubixException("could not " + what + ": " + String.join(" ", e.stderrTail()) + " (the partial copy was removed)", e);
    } catch (IOException e) {
      deleteQuietly(f.newHomeTmp());
      throw new QubixException("could not " + what + ": " + e.getMessage(), e);
    }
  }

  // ---- helpers

  private void progress(String what, long done, long total) {
    ProgressListener.safely(context.listener(), new ProgressEvent.BytesCopied(what, done, total));
  }

  /** The bytes of the regular files in a tree (links not followed); -1 when it cannot be read. */
  static long sizeOf(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return -1;
    }
    try (Stream<Path> all = Files.walk(p)) {
      return all.filter(x -> Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)).mapToLong(x -> {
        try {
          return Files.size(x);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Trees.delete(p);
    } catch (IOException e) {
      // a temporary name: the next operation removes it
    }
  }
}
