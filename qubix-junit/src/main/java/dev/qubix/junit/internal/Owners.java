package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks every fixture VM with the JVM that started it ({@code <stateDir>/junit-owners/<machine>.owner}:
 * pid, that process's start time, and how to rebuild the appliance), so a VM whose JVM was killed
 * before it could destroy it is found and destroyed by the next fixture start in that state
 * directory: home kept, unless the fixture would have purged it. A marker with a live pid but
 * another start time belongs to a dead JVM whose pid was reused.
 */
public final class Owners {
  private static final Logger LOG = LoggerFactory.getLogger(Owners.class);
  static final String DIR = "junit-owners";

  private Owners() {}

  /** Records this JVM as the owner of {@code appliance}'s fixture VM. */
  public static Path mark(Appliance appliance, boolean purgeHome) {
    Properties p = new Properties();
    ProcessHandle me = ProcessHandle.current();
    p.setProperty("pid", Long.toString(me.pid()));
    p.setProperty("start", me.info().startInstant().map(Instant::toString).orElse(""));
    p.setProperty("machine", appliance.machine());
    p.setProperty("flake", appliance.flake().toAbsolutePath().toString());
    appliance.manifestFile().ifPresent(m -> p.setProperty("manifest", m.toAbsolutePath().toString()));
    p.setProperty("backend", appliance.backendName());
    p.setProperty("purgeHome", Boolean.toString(purgeHome));
    Path file = appliance.stateDir().resolve(DIR).resolve(appliance.machine() + ".owner");
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp)) {
        p.store(w, "a Qubix test fixture's VM; the next fixture start destroys it if this JVM is gone");
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot mark the fixture VM {} with its owner: {}", appliance.machine(), e.getMessage());
    }
    return file;
  }

  /** Removes the mark once the fixture destroyed its VM itself. */
  public static void unmark(Path marker) {
    try {
      Files.deleteIfExists(marker);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", marker, e.getMessage());
    }
  }

  /** Destroys every fixture VM in {@code stateDir} whose owning JVM is gone; returns the machines it destroyed. */
  public static List<String> destroyLeaked(Path stateDir) {
    Path dir = stateDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> markers;
    try (var files = Files.list(dir)) {
      markers = files.filter(f -> f.getFileName().toString().endsWith(".owner")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
    List<String> destroyed = new java.util.ArrayList<>();
    for (Path marker : markers) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(marker)) {
        p.load(r);
      } catch (IOException e) {
        continue;
      }
      if (ownerAlive(p)) {
        continue;
      }
      String machine = p.getProperty("machine");
      try {
        Appliance leaked = Qubix.appliance(machine).withStateDir(stateDir).withFlake(Path.of(p.getProperty("flake")))
            .withBackend(p.getProperty("backend"));
        if (p.getProperty("manifest") != null) {
          leaked = leaked.withManifest(Path.of(p.getProperty("manifest")));
        }
        boolean purge = Boolean.parseBoolean(p.getProperty("purgeHome"));
        LOG.warn("destroying the fixture VM {} left behind by test JVM {} (no longer running){}", machine,
            p.getProperty("pid"), purge ? "" : "; its home disk is kept");
        leaked.destroy(purge ? Purge.EVERYTHING : Purge.KEEP_HOME);
        destroyed.add(machine);
        Files.deleteIfExists(marker);
      } catch (RuntimeException | IOException e) {
        LOG.warn("cannot destroy the leaked fixture VM {} ({}): {}", machine, marker, e.getMessage());
      }
    }
    return destroyed;
  }

  static boolean ownerAlive(Properties p) {
    long pid;
    try {
      pid = Long.parseLong(p.getProperty("pid", ""));
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (h.isEmpty()) {
      return false;
    }
    String start = p.getProperty("start", "");
    return start.isEmpty() || h.get().info().startInstant().map(Instant::toString).map(start::equals).orElse(true);
  }
}
