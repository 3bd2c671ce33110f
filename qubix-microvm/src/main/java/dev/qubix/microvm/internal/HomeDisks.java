package dev.qubix.microvm.internal;

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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A VM's home disk and its backups ({@code backups/<name>.qcow2} with {@code <name>.json}). Every
 * copy goes to a temporary name and is renamed into place when whole, so a failed or interrupted
 * copy leaves no backup and no home half-written; the file a restore reads is only ever read.
 * Copies are {@code qemu-img convert} (the used blocks only) or, from a running VM, QEMU's own
 * point-in-time block job.
 */
final class HomeDisks {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The block job and target node of a live backup: fixed, so a retry finds what a crash left. */
  static final String LIVE_JOB = "qubix-home-backup";
  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

  private final BackendContext context;
  private final QemuTools tools;
  private final VmFiles f;

  HomeDisks(BackendContext context, QemuTools tools, VmFiles f) {
    this.context = context;
    this.tools = tools;
    this.f = f;
  }

  /** What {@code qemu-img info} says of a disk file. */
  record DiskInfo(long virtualSize, long actualSize, Optional<String> backingFile) {}

  // ---- reading

  List<HomeBackup> list() {
    if (!Files.isDirectory(f.backups())) {
      return List.of();
    }
    List<HomeBackup> out = new ArrayList<>();
    try (var files = Files.list(f.backups())) {
      for (Path p : files.sorted().toList()) {
        String file = p.getFileName().toString();
        if (file.endsWith(".qcow2") && Files.isRegularFile(p)) {
          out.add(read(file.substring(0, file.length() - ".qcow2".length())));
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot list the backups in " + f.backups() + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(HomeBackup::time).thenComparing(HomeBackup::name));
    return out;
  }

  private HomeBackup read(String name) throws IOException {
    Path disk = f.backup(name);
    Instant time = Files.getLastModifiedTime(disk).toInstant();
    Optional<String> image = Optional.empty();
    boolean automatic = HomeRequest.isAutomatic(name);
    try {
      JsonNode info = JSON.readTree(Files.readString(f.backupInfo(name)));
      time = Instant.parse(info.path("time").asText(time.toString()));
      image = Optional.ofNullable(info.path("imageVersion").textValue());
      automatic = info.path("automatic").asBoolean(automatic);
    } catch (NoSuchFileException e) {
      // a backup copied in by hand: its file's time, no image version
    } catch (RuntimeException e) {
      // an unreadable description still leaves the disk listed
    }
    return new HomeBackup(name, time, Files.size(disk), image, automatic);
  }

  boolean exists(String name) {
    return Files.isRegularFile(f.backup(name));
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
    if (!Files.isRegularFile(f.home())) {
      throw new ConfigurationException(vmName + " has no home disk (" + f.home() + ") to copy: it is made by the first "
          + "persistent up or recreate");
    }
  }

  /** {@code qemu-img info} with the declared format: a file that is not a disk of that format is refused here. */
  DiskInfo info(Path file, String format, String what) {
    return info(file, format, what, false);
  }

  /**
   * {@code inUse}: the file is a running VM's disk. QEMU locks it against other writers, and info (which
   * only reads its header) then has to say it shares it ({@code -U}); the numbers may be a moment old.
   */
  DiskInfo info(Path file, String format, String what, boolean inUse) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigurationException(what + " " + file + " does not exist or is not a file");
    }
    try {
      List<String> argv = new ArrayList<>(List.of(tools.qemuImg(), "info", "-f", format, "--output=json"));
      if (inUse) {
        argv.add("-U");
      }
      argv.add(file.toString());
      String out = context.runner().run(Command.of(argv).withTimeout(Duration.ofSeconds(60))).stdout();
      JsonNode n = JSON.readTree(out);
      return new DiskInfo(n.path("virtual-size").asLong(), n.path("actual-size").asLong(),
          Optional.ofNullable(n.path("backing-filename").textValue()));
    } catch (CommandFailedException e) {
      throw new ConfigurationException(what + " " + file + " is not a " + format + " disk image: "
          + String.join(" ", e.stderrTail()) + "; nothing was changed");
    } catch (IOException e) {
      throw new QubixException("cannot read qemu-img info of " + file + ": " + e.getMessage(), e);
    }
  }

  /** Refuses, before any copy starts, one that cannot fit: the copy would otherwise fail part-way. */
  void requireSpace(Path dir, long bytes, String what) {
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      long free = Files.getFileStore(existing).getUsableSpace();
      if (free < bytes) {
        throw new ConfigurationException("not enough space for " + what + " in " + dir + ": it needs about "
            + mib(bytes) + ", " + mib(free) + " are free; free some space and retry (nothing was changed)");
      }
    } catch (IOException e) {
      throw new QubixException("cannot read the free space of " + dir + ": " + e.getMessage(), e);
    }
  }

  // ---- copies

  /** Copies the stopped VM's home (or the read-only home under a disposable VM) into {@code to}. */
  void convert(Path from, String fromFormat, Path to, String toFormat, String what) {
    long total = sizeOf(from);
    progress(what, 0, total);
    try {
      Files.deleteIfExists(to);
      // the declared source format, never a probe: a probed raw image could claim a host file as backing
      context.runner().run(privately(tools.qemuImg(), "convert", "-q", "-f", fromFormat, "-O", toFormat,
          from.toString(), to.toString()));
    } catch (CommandFailedException e) {
      deleteQuietly(to);
      throw copyFailed(what, to, e.stderrTail(), e);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(to);
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
    progress(what, total, total);
  }

  /**
   * A crash-consistent copy of a running VM's home: QEMU's {@code blockdev-backup} (sync full) into a
   * new qcow2 it opens with {@code blockdev-add}. The job copies the disk as it was when the job
   * started (writes the guest makes meanwhile first save the old block), and unallocated clusters
   * are written as zeroes the qcow2 target does not store.
   */
  void liveCopy(Path to, String what) {
    long virtual = info(f.home(), "qcow2", "the home disk", true).virtualSize();
    dropLeftoverJob();
    try {
      Files.deleteIfExists(to);
      context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2", to.toString(), Long.toString(virtual)));
      qmp(q -> q.execute("blockdev-add", Map.of("driver", "qcow2", "node-name", LIVE_JOB,
          "file", Map.of("driver", "file", "filename", to.toAbsolutePath().toString()))));
      qmp(q -> q.execute("blockdev-backup", Map.of("job-id", LIVE_JOB, "device", "home", "target", LIVE_JOB,
          "sync", "full", "auto-dismiss", false)));
      String[] error = {null};
      boolean done = context.await(what, context.timeout(), Duration.ofMillis(50), () -> {
        JsonNode job = qmp(q -> q.execute("query-jobs"));
        for (JsonNode j : job) {
          if (LIVE_JOB.equals(j.path("id").asText())) {
            progress(what, j.path("current-progress").asLong(), j.path("total-progress").asLong());
            if (j.path("status").asText().equals("concluded")) {
              error[0] = j.path("error").textValue();
              return Optional.of(true);
            }
            return Optional.<Boolean>empty();
          }
        }
        error[0] = "the backup job disappeared";
        return Optional.of(true);
      }).isPresent();
      if (!done || error[0] != null) {
        throw copyFailed(what, to, List.of(done ? error[0] : "it did not finish in " + context.timeout()), null);
      }
    } catch (CommandFailedException e) {
      dropLeftoverJob();
      deleteQuietly(to);
      throw copyFailed(what, to, e.stderrTail(), e);
    } catch (IOException e) {
      dropLeftoverJob();
      deleteQuietly(to);
      throw new QubixException("cannot " + what + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      dropLeftoverJob();
      deleteQuietly(to);
      throw e;
    }
    dropLeftoverJob();
  }

  /** Ends and removes a live backup's job and target node, this one's or one a crashed process left. */
  void dropLeftoverJob() {
    try (Qmp q = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      for (JsonNode j : q.execute("query-jobs")) {
        if (LIVE_JOB.equals(j.path("id").asText())) {
          if (!j.path("status").asText().equals("concluded")) {
            quietly(() -> q.execute("job-cancel", Map.of("id", LIVE_JOB)));
            context.await("the old home backup job to end", Duration.ofSeconds(30), () -> {
              for (JsonNode k : q.execute("query-jobs")) {
                if (LIVE_JOB.equals(k.path("id").asText()) && !k.path("status").asText().equals("concluded")) {
                  return false;
                }
              }
              return true;
            });
          }
          quietly(() -> q.execute("job-dismiss", Map.of("id", LIVE_JOB)));
        }
      }
      quietly(() -> q.execute("blockdev-del", Map.of("node-name", LIVE_JOB)));
    } catch (QubixException e) {
      // no QEMU to ask: nothing of a live backup can be left
    }
  }

  /** Writes the backup's description, then renames the whole copy into place: it exists whole or not at all. */
  void keep(Path tmp, String name, boolean automatic) {
    try {
      ObjectNode info = JSON.createObjectNode();
      info.put("time", context.clock().instant().toString());
      if (Files.isRegularFile(f.imageVersion())) {
        info.put("imageVersion", VmDisks.read(f.imageVersion()));
      }
      info.put("automatic", automatic);
      PrivateFiles.writeString(f.backupInfo(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n");
      Files.move(tmp, f.backup(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot keep the backup " + f.backup(name) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Keeps the current home as the automatic backup {@code name} without copying it: a second name of
   * the same file (a hard link), so a later rename over the home leaves this one with the old data.
   */
  void keepCurrent(String name) {
    if (!Files.isRegularFile(f.home())) {
      return;
    }
    try {
      backupsFolder();
      Path tmp = temporary(name);
      Files.deleteIfExists(tmp);
      try {
        Files.createLink(tmp, f.home());
      } catch (UnsupportedOperationException | IOException e) {
        convert(f.home(), "qcow2", tmp, "qcow2", "keep the current home as " + name);
      }
      keep(tmp, name, true);
    } catch (IOException e) {
      throw new QubixException("cannot keep the current home as " + name + ": " + e.getMessage(), e);
    }
  }

  /** The new home takes the home's place in one rename. */
  void switchHome() {
    try {
      Files.move(f.newHome(), f.home(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new QubixException("cannot put the new home " + f.newHome() + " in place: " + e.getMessage(), e);
    }
  }

  void delete(String name) {
    try {
      Files.deleteIfExists(f.backup(name));
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
    for (int i = 2; exists(name); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  /** The backups folder, private; temporary copies a crash left in it are removed. */
  Path backupsFolder() {
    try {
      PrivateFiles.directories(f.dir().getParent(), f.backups());
      try (var files = Files.list(f.backups())) {
        for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
          Files.deleteIfExists(p);
        }
      }
      // descriptions whose disk never arrived
      try (var files = Files.list(f.backups())) {
        for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
          String n = p.getFileName().toString();
          if (!exists(n.substring(0, n.length() - ".json".length()))) {
            Files.deleteIfExists(p);
          }
        }
      }
      return f.backups();
    } catch (IOException e) {
      throw new QubixException("cannot prepare " + f.backups() + ": " + e.getMessage(), e);
    }
  }

  Path temporary(String name) {
    return f.backups().resolve(name + ".qcow2.tmp");
  }

  /** A disk format from a file's extension: qcow2 or vhdx. */
  static String formatOf(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".qcow2")) {
      return "qcow2";
    }
    if (n.endsWith(".vhdx")) {
      return "vhdx";
    }
    throw new ConfigurationException(file + ": the file name must end in .qcow2 or .vhdx (the format is taken from it)");
  }

  // ---- helpers

  private QubixException copyFailed(String what, Path to, List<String> why, Exception cause) {
    String text = String.join(" ", why);
    if (text.contains("No space left on device")) {
      return new ConfigurationException("no space left on the device of " + to.getParent() + " to " + what
          + ": free some space and retry; nothing was changed (the partial copy was removed)");
    }
    return new QubixException("could not " + what + ": " + text + " (the partial copy was removed)", cause);
  }

  private void progress(String what, long done, long total) {
    ProgressListener.safely(context.listener(), new ProgressEvent.BytesCopied(what, done, total));
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  private JsonNode qmp(java.util.function.Function<Qmp, JsonNode> call) {
    try (Qmp q = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      return call.apply(q);
    }
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (QubixException e) {
      // already gone
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temporary name: the next operation removes it
    }
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }

  static Command privately(String program, String... args) {
    List<String> argv = new ArrayList<>(List.of(program));
    argv.addAll(List.of(args));
    return Command.of(PrivateFiles.withPrivateUmask(argv));
  }
}
