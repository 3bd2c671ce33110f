package dev.qubix.microvm.internal;

import dev.qubix.CommandFailedException;
import dev.qubix.InstanceStatus;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One VM's QEMU: started daemonized with a pid file and a QMP socket, asked over QMP, stopped with
 * the ACPI power button and forced after a grace period. Knows nothing about disks or plans.
 */
final class QemuProcess {
  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POWER_BUTTON_REPEAT = Duration.ofSeconds(3);
  private static final Duration RUNNING_LIMIT = Duration.ofSeconds(60);
  private static final long SERIAL_ROTATE_BYTES = 4L << 20;

  private final BackendContext context;
  private final QemuTools tools;
  private final VmFiles f;

  QemuProcess(BackendContext context, QemuTools tools, VmFiles f) {
    this.context = context;
    this.tools = tools;
    this.f = f;
  }

  /** This VM's QEMU, if its pid file names a live QEMU (a reused pid is not ours). */
  Optional<ProcessHandle> running() {
    if (!Files.isRegularFile(f.pid())) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(f.pid()).strip());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.contains("qemu")).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The VM state QMP reports; UNKNOWN when QMP cannot be asked. */
  InstanceStatus.State state() {
    try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      return switch (qmp.status()) {
        case "running" -> InstanceStatus.State.RUNNING;
        case "paused", "suspended" -> InstanceStatus.State.PAUSED;
        case "shutdown" -> InstanceStatus.State.STOPPING;
        case "prelaunch", "inmigrate" -> InstanceStatus.State.STARTING;
        default -> InstanceStatus.State.UNKNOWN;
      };
    } catch (QubixException e) {
      return InstanceStatus.State.UNKNOWN;
    }
  }

  /** Starts QEMU with {@code homeDrive} as the home (the disk, a disposable overlay, or none). */
  void launch(MachineManifest m, QemuArgs.Boot boot, Optional<Path> homeDrive) {
    int port = context.ports(m.vmName()).ensureRdp();
    context.ports(m.vmName()).requireFree(m.vmName(), port);
    rotateSerialLog();
    String accel = Accelerator.choose(context, tools.qemu(), context.stateDir().resolve("cache"));
    List<String> argv = QemuArgs.of(tools.qemu(), m, f, boot, accel, port, homeDrive.orElse(null));
    try {
      context.privateVmDir(m.vmName());
      // QEMU appends to an existing log and keeps its mode: one from before Qubix made files private is tightened
      PrivateFiles.open(f.serialLog(), StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
      f.ensureQmpFolder();
      // last before QEMU, so nothing can fail between it and the finally below that deletes it;
      // a VM made before Qubix had secrets gets one at its next start
      VmSecret.of(context).handOver(f);
    } catch (IOException e) {
      throw new QubixException("cannot start " + m.vmName() + ": " + e.getMessage(), e);
    }
    try {
      context.runner().run(Command.of(PrivateFiles.withPrivateUmask(argv)).withTimeout(Duration.ofMinutes(2)));
      privateSocket();
    } catch (CommandFailedException e) {
      kill();
      throw new QubixException("QEMU could not start " + m.vmName() + ": " + String.join(" ", e.stderrTail()), e);
    } catch (OperationTimeoutException e) {
      kill();
      throw e;
    } finally {
      // -daemonize returns once QEMU has read its fw_cfg files: the guest's copy is in QEMU's memory now
      VmSecret.dropHandOver(f);
    }
  }

  /** Waits until QMP reports running; a QEMU that exits or never gets there is killed and named. */
  void awaitRunning(String vmName) {
    String[] last = {"no QEMU process"};
    Optional<Boolean> running = context.await("QEMU of " + vmName + " running", RUNNING_LIMIT, Duration.ofMillis(100), () -> {
      if (running().isEmpty()) {
        throw new QubixException("QEMU for " + vmName + " exited right after starting; see " + f.serialLog());
      }
      try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
        last[0] = qmp.status();
        return last[0].equals("running") ? Optional.of(true) : Optional.empty();
      } catch (QubixException e) {
        last[0] = e.getMessage();
        return Optional.empty();
      }
    });
    if (running.isEmpty()) {
      kill();
      throw new OperationTimeoutException(vmName + " did not reach running within 60 s (last: " + last[0] + ")");
    }
  }

  /**
   * Presses the ACPI power button again every few seconds until the grace period ends: a press that
   * arrives while the guest is still booting (before its button driver is loaded) is lost, and a
   * guest already shutting down ignores further presses (systemd-logind: "already a shutdown in
   * progress"). Then QMP quit, then kill.
   */
  void stop(String vmName, Duration grace) {
    Optional<ProcessHandle> qemu = running();
    if (qemu.isEmpty()) {
      clean();
      return;
    }
    long[] nextPress = {System.nanoTime()};
    boolean off = context.await("graceful shutdown of " + vmName, grace, () -> {
      if (!qemu.get().isAlive()) {
        return true;
      }
      if (System.nanoTime() - nextPress[0] >= 0) {
        qmpQuietly("system_powerdown");
        nextPress[0] = System.nanoTime() + POWER_BUTTON_REPEAT.toNanos();
      }
      return false;
    });
    if (!off && qemu.get().isAlive()) {
      qmpQuietly("quit");
      if (!context.await("QEMU quit", Duration.ofSeconds(5), () -> !qemu.get().isAlive())) {
        qemu.get().destroyForcibly();
        context.await("QEMU kill", Duration.ofSeconds(5), () -> !qemu.get().isAlive());
      }
    }
    clean();
  }

  void stopIfRunning(String vmName, Duration grace) {
    if (running().isPresent()) {
      stop(vmName, grace);
    }
  }

  /** Removes what a dead QEMU left behind; refuses to touch a live one. */
  void clean() {
    if (running().isPresent()) {
      return;
    }
    try {
      Files.deleteIfExists(f.pid());
      Files.deleteIfExists(f.qmp());
    } catch (IOException e) {
      throw new QubixException("cannot clean stale state in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  private void kill() {
    running().ifPresent(p -> {
      p.destroyForcibly();
      context.await("QEMU kill", Duration.ofSeconds(5), () -> !p.isAlive());
    });
    clean();
  }

  /** A QMP command whose failure only means QEMU is already going away: the caller checks the process. */
  private void qmpQuietly(String command) {
    try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      qmp.execute(command);
    } catch (QubixException e) {
      // QMP gone or closing: the process check that follows decides
    }
  }

  /**
   * QEMU's {@code -daemonize} sets its own umask (027) before it creates the QMP socket, so the socket
   * comes out 0750 whatever umask it was started with. It lives in a 0700 folder from the start, so no
   * one else can reach it in between; once QEMU has started it is made 0600 like everything else.
   */
  private void privateSocket() {
    try {
      if (Files.exists(f.qmp(), LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(f.qmp(), PrivateFiles.FILE);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // the folder's 0700 still keeps others out
    }
  }

  private void rotateSerialLog() {
    try {
      if (Files.isRegularFile(f.serialLog()) && Files.size(f.serialLog()) > SERIAL_ROTATE_BYTES) {
        Files.move(f.serialLog(), f.dir().resolve("serial.log.1"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // a log that cannot rotate keeps growing; not a reason to fail a start
    }
  }

  Path serialLog() {
    return f.serialLog();
  }
}
