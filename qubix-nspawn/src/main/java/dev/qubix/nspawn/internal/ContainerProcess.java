package dev.qubix.nspawn.internal;

import dev.qubix.CommandFailedException;
import dev.qubix.HomeMode;
import dev.qubix.OperationTimeoutException;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One container's processes: its network namespace (made with {@code ip netns}), slirp4netns serving
 * it and forwarding the RDP port, and systemd-nspawn, both started detached with pid files so they
 * outlive the JVM. Stopped gracefully (nspawn passes its kill signal to the container's PID 1),
 * forced after a grace period. Knows nothing about root folders or plans.
 */
final class ContainerProcess {
  private static final Duration SOCKET_LIMIT = Duration.ofSeconds(10);
  private static final Duration RUNNING_LIMIT = Duration.ofSeconds(30);
  private static final Duration FORCE_LIMIT = Duration.ofSeconds(10);
  private static final Duration SIGNAL_REPEAT = Duration.ofSeconds(2);
  private static final long LOG_ROTATE_BYTES = 4L << 20;

  private final BackendContext context;
  private final NspawnTools tools;
  private final ContainerFiles f;

  ContainerProcess(BackendContext context, NspawnTools tools, ContainerFiles f) {
    this.context = context;
    this.tools = tools;
    this.f = f;
  }

  /** This container's systemd-nspawn, if its pid file names a live one (a reused pid is not ours). */
  Optional<ProcessHandle> running() {
    return live(f.pid(), "systemd-nspawn");
  }

  Optional<ProcessHandle> slirp() {
    return live(f.slirpPid(), "slirp4netns");
  }

  /**
   * The container's PID 1, as the host sees it: systemd-nspawn's child once it has exec'd the init
   * (before, the child is nspawn itself, still setting the container up).
   */
  Optional<ProcessHandle> init() {
    return running().flatMap(n -> n.children().findFirst())
        .filter(c -> c.info().command().map(x -> !x.endsWith("/systemd-nspawn")).orElse(false));
  }

  private static Optional<ProcessHandle> live(Path pidFile, String program) {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      return ProcessHandle.of(pid).filter(p -> !Exited.test(p))
          .filter(p -> p.info().command().map(c -> c.endsWith(program)).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Network namespace, slirp4netns with the port forward, then systemd-nspawn; anything half-started is undone. */
  void launch(MachineManifest m, NspawnArgs.Boot boot) {
    int port = context.ports(m.vmName()).ensureRdp();
    context.ports(m.vmName()).requireFree(m.vmName(), port);
    try {
      context.privateVmDir(m.vmName());
      ContainerSecret.ensure(f);
      rotateLog();
      PrivateFiles.open(f.consoleLog(), StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
      PrivateFiles.open(f.slirpLog(), StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
      if (!f.slirpSocket().getParent().equals(f.dir())) {
        PrivateFiles.directory(f.slirpSocket().getParent());
      }
      Files.deleteIfExists(f.slirpSocket());
    } catch (IOException e) {
      throw new QubixException("cannot start " + m.vmName() + ": " + e.getMessage(), e);
    }
    try {
      if (!Files.exists(f.netns())) {
        context.runner().run(Command.of(tools.ip(), "netns", "add", f.name()).withTimeout(Duration.ofSeconds(30)));
      }
      long slirp = Detached.start(context, NspawnArgs.slirp(tools, f), f.slirpLog());
      PrivateFiles.writeString(f.slirpPid(), slirp + "\n");
      boolean socket = context.await("slirp4netns of " + m.vmName(), SOCKET_LIMIT,
          () -> Files.exists(f.slirpSocket()) || slirp().isEmpty());
      if (!socket || slirp().isEmpty()) {
        throw new QubixException("slirp4netns did not start for " + m.vmName() + "; see " + f.slirpLog());
      }
      SlirpApi.forward(f.slirpSocket(), port, m.rdp().port());
      long nspawn = Detached.start(context, NspawnArgs.nspawn(tools, m, f, boot, homeMount(m)), f.consoleLog());
      PrivateFiles.writeString(f.pid(), nspawn + "\n");
    } catch (IOException e) {
      kill();
      throw new QubixException("cannot start " + m.vmName() + ": " + e.getMessage(), e);
    } catch (CommandFailedException e) {
      kill();
      throw new QubixException("cannot start " + m.vmName() + ": " + String.join(" ", e.stderrTail()), e);
    } catch (RuntimeException e) {
      kill();
      throw e;
    }
  }

  /** Waits until the container's PID 1 runs; a systemd-nspawn that exits first is named with its console. */
  void awaitRunning(String vmName) {
    Optional<Boolean> up = context.await("container " + vmName + " running", RUNNING_LIMIT, Duration.ofMillis(50), () -> {
      if (running().isEmpty()) {
        throw new QubixException("systemd-nspawn for " + vmName + " exited right after starting: " + consoleTail()
            + " (see " + f.consoleLog() + ")");
      }
      return init().isPresent() ? Optional.of(true) : Optional.empty();
    });
    if (up.isEmpty()) {
      kill();
      throw new OperationTimeoutException(vmName + " did not start its init within " + RUNNING_LIMIT.toSeconds() + " s; see "
          + f.consoleLog());
    }
  }

  /**
   * SIGTERM to systemd-nspawn, which sends the container's PID 1 its kill signal (SIGRTMIN+3 halts
   * systemd; SIGTERM shuts busybox init down) and waits for it. A PID 1 gets no signal it has no
   * handler for yet, so one that is still starting loses it: the kill signal goes to PID 1 again
   * every few seconds of the grace period (a second SIGTERM to nspawn would not repeat it, it would
   * kill the container). After the grace nspawn's second SIGTERM ends the container at once; a nspawn
   * that still hangs is killed with all the container's processes. Then the network goes.
   */
  void stop(String vmName, Duration grace) {
    Optional<ProcessHandle> nspawn = running();
    if (nspawn.isPresent()) {
      String signal = killSignal();
      nspawn.get().destroy();
      long[] next = {System.nanoTime() + SIGNAL_REPEAT.toNanos()};
      boolean off = context.await("graceful shutdown of " + vmName, grace, () -> {
        if (Exited.test(nspawn.get())) {
          return true;
        }
        if (System.nanoTime() - next[0] >= 0) {
          init().ifPresent(i -> context.runner().run(Command.of("kill", "-s", signal, Long.toString(i.pid()))
              .allowingFailure().withTimeout(Duration.ofSeconds(10))));
          next[0] = System.nanoTime() + SIGNAL_REPEAT.toNanos();
        }
        return false;
      });
      if (!off) {
        nspawn.get().destroy();
        if (!context.await("systemd-nspawn of " + vmName + " ending the container", FORCE_LIMIT, () -> Exited.test(nspawn.get()))) {
          forceKill(nspawn.get());
        }
      }
    }
    clean();
  }

  /** The kill signal of the running container's image, as kill(1) names it. */
  private String killSignal() {
    try {
      String format = Files.readString(f.imageVersion()).strip().split(" ", 2)[0];
      return NspawnArgs.Boot.killSignalOf(dev.qubix.manifest.ImageFormat.fromJson(format)
          .orElse(dev.qubix.manifest.ImageFormat.ROOTFS)).replaceFirst("^SIG", "");
    } catch (IOException e) {
      return "TERM";
    }
  }

  void stopIfRunning(String vmName, Duration grace) {
    if (running().isPresent()) {
      stop(vmName, grace);
    }
  }

  /**
   * What a stopped container left: slirp4netns (it serves the namespace until it is told to stop, even
   * when the container powered itself off), the namespace, pid files, the socket, a disposable home's
   * overlay. Never touches a live
   * container.
   */
  void clean() {
    if (running().isPresent()) {
      return;
    }
    slirp().ifPresent(s -> {
      s.destroy();
      if (!context.await("slirp4netns exit", FORCE_LIMIT, () -> Exited.test(s))) {
        s.destroyForcibly();
      }
    });
    try {
      if (Files.exists(f.netns())) {
        context.runner().run(Command.of(tools.ip(), "netns", "delete", f.name()).withTimeout(Duration.ofSeconds(30)));
      }
      Files.deleteIfExists(f.pid());
      Files.deleteIfExists(f.slirpPid());
      Files.deleteIfExists(f.slirpSocket());
      discardOverlay();
    } catch (IOException e) {
      throw new QubixException("cannot clean stale state in " + f.dir() + ": " + e.getMessage(), e);
    } catch (CommandFailedException e) {
      throw new QubixException("cannot delete the network namespace " + f.name() + ": " + String.join(" ", e.stderrTail()), e);
    }
  }

  /**
   * The /home of the next start: a persistent container binds its home folder; a disposable one gets a
   * fresh overlay (the old one discarded) over it, or over an empty folder when it has no home.
   */
  private NspawnArgs.HomeMount homeMount(MachineManifest m) throws IOException {
    boolean home = Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS);
    if (!m.homeDisk().enable()) {
      return NspawnArgs.HomeMount.NONE;
    }
    if (ContainerSteps.homeMode(f) == HomeMode.PERSISTENT) {
      return home ? NspawnArgs.HomeMount.bind(f.home()) : NspawnArgs.HomeMount.NONE;
    }
    Trees.delete(f.homeOverlay());
    PrivateFiles.directories(f.dir().getParent(), f.homeOverlay());
    var open = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
    // the overlay's root takes the upper folder's mode: 0755 as the home folder, so the guest's users reach /home
    Files.createDirectory(f.homeUpper(), open);
    if (home) {
      return NspawnArgs.HomeMount.overlay(f.home(), f.homeUpper());
    }
    Files.createDirectory(f.emptyHome(), open);
    return NspawnArgs.HomeMount.overlay(f.emptyHome(), f.homeUpper());
  }

  /** What a disposable container wrote goes once it has stopped. */
  private void discardOverlay() {
    try {
      Trees.delete(f.homeOverlay());
    } catch (IOException e) {
      throw new QubixException("cannot discard the disposable home overlay " + f.homeOverlay() + ": " + e.getMessage(), e);
    }
  }

  private void kill() {
    running().ifPresent(this::forceKill);
    clean();
  }

  private void forceKill(ProcessHandle nspawn) {
    List<ProcessHandle> all = nspawn.descendants().toList();
    nspawn.destroyForcibly();
    all.forEach(ProcessHandle::destroyForcibly);
    context.await("systemd-nspawn kill", FORCE_LIMIT, () -> Exited.test(nspawn) && all.stream().allMatch(Exited::test));
  }

  private String consoleTail() {
    try {
      List<String> lines = Files.readAllLines(f.consoleLog(), java.nio.charset.StandardCharsets.ISO_8859_1);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())).strip();
    } catch (IOException e) {
      return "(no console log)";
    }
  }

  private void rotateLog() {
    try {
      if (Files.isRegularFile(f.consoleLog()) && Files.size(f.consoleLog()) > LOG_ROTATE_BYTES) {
        Files.move(f.consoleLog(), f.dir().resolve("console.log.1"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // a log that cannot rotate keeps growing; not a reason to fail a start
    }
  }
}
