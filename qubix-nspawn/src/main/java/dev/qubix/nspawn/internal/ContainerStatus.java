package dev.qubix.nspawn.internal;

import dev.qubix.HomeMode;
import dev.qubix.InstanceStatus;
import dev.qubix.QubixException;
import dev.qubix.spi.BackendContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the container folders of a state directory: one container's status, and every one for listings. */
final class ContainerStatus {
  private final BackendContext context;
  private final NspawnTools tools;
  private final String backend;

  ContainerStatus(BackendContext context, NspawnTools tools, String backend) {
    this.context = context;
    this.tools = tools;
    this.backend = backend;
  }

  /** Running (with pid, uptime, addresses) or stopped; empty when the container does not exist. */
  Optional<InstanceStatus> of(ContainerFiles f, String vmName, boolean listing) {
    if (!Files.exists(f.imageVersion())) {
      return Optional.empty();
    }
    Map<String, String> details = new LinkedHashMap<>();
    if (listing) {
      details.putAll(machineLines(f));
      details.put("imageVersion", read(f.imageVersion()).replaceFirst("^\\S+ ", ""));
      if (Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS)) {
        details.put("homeFolder", f.home().toString());
      }
    }
    details.put(HomeMode.DETAIL, ContainerSteps.homeMode(f).word());
    details.put("stateDir", f.dir().toString());
    // the key qubixctl logs reads: a container's console is what a VM's serial port is
    details.put("serialLog", f.consoleLog().toString());
    details.put("machine-name", f.name());
    context.ports(vmName).rdp().ifPresent(p -> details.put("rdp", "127.0.0.1:" + p));
    ContainerProcess process = new ContainerProcess(context, tools, f);
    Optional<ProcessHandle> nspawn = process.running();
    if (nspawn.isEmpty()) {
      return Optional.of(new InstanceStatus(vmName, backend, InstanceStatus.State.STOPPED, List.of(), Optional.empty(), details));
    }
    Optional<ProcessHandle> init = process.init();
    details.put("pid", Long.toString(nspawn.get().pid()));
    init.ifPresent(i -> details.put("initPid", Long.toString(i.pid())));
    details.put("address", NspawnArgs.GUEST_ADDRESS + " (in its own network namespace " + f.netns() + ")");
    Optional<Duration> uptime = nspawn.get().info().startInstant().map(s -> Duration.between(s, Instant.now()));
    InstanceStatus.State state = init.isPresent() ? InstanceStatus.State.RUNNING : InstanceStatus.State.STARTING;
    return Optional.of(new InstanceStatus(vmName, backend, state, List.of("127.0.0.1"), uptime, details));
  }

  List<InstanceStatus> all() {
    List<InstanceStatus> all = new ArrayList<>();
    for (Path dir : folders()) {
      ContainerFiles f = new ContainerFiles(dir);
      if (Files.isDirectory(dir) && Files.isRegularFile(f.imageVersion())) {
        of(f, dir.getFileName().toString(), true).ifPresent(all::add);
      }
    }
    return all;
  }

  private List<Path> folders() {
    try (var dirs = Files.list(context.stateDir())) {
      return dirs.sorted().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QubixException("cannot list " + context.stateDir() + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> machineLines(ContainerFiles f) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : read(f.machine()).lines().toList()) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
