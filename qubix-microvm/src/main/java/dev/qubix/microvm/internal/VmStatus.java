package dev.qubix.microvm.internal;

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

/** Reads the VM folders of a state directory: one VM's status, every VM for listings, their GC roots. */
final class VmStatus {
  private final BackendContext context;
  private final String backend;

  VmStatus(BackendContext context, String backend) {
    this.context = context;
    this.backend = backend;
  }

  /** The status of the VM in {@code f}; {@code listing} adds what a listing shows (machine, image, home). */
  Optional<InstanceStatus> of(VmFiles f, String vmName, boolean listing) {
    if (!Files.exists(f.imageVersion())) {
      return Optional.empty();
    }
    Map<String, String> details = new LinkedHashMap<>();
    if (listing) {
      Map<String, String> recorded = VmDisks.machineLines(f);
      for (String key : List.of("machine", "mode")) {
        if (recorded.containsKey(key)) {
          details.put(key, recorded.get(key));
        }
      }
      details.put("imageVersion", VmDisks.read(f.imageVersion()));
      if (Files.exists(f.home())) {
        details.put("homeDisk", f.home().toString());
      }
    }
    details.put(HomeMode.DETAIL, new VmDisks(context, null, f).homeMode().word());
    QemuProcess process = new QemuProcess(context, null, f);
    Optional<ProcessHandle> qemu = process.running();
    details.put("stateDir", f.dir().toString());
    details.put("serialLog", f.serialLog().toString());
    context.ports(vmName).rdp().ifPresent(p -> details.put("rdp", "127.0.0.1:" + p));
    if (qemu.isEmpty()) {
      return Optional.of(new InstanceStatus(vmName, backend, InstanceStatus.State.STOPPED, List.of(), Optional.empty(), details));
    }
    InstanceStatus.State state = process.state();
    details.put("pid", Long.toString(qemu.get().pid()));
    qemu.get().info().arguments().map(List::of).ifPresent(args -> {
      int i = args.indexOf("-accel");
      if (i >= 0 && i + 1 < args.size()) {
        details.put("accel", args.get(i + 1));
      }
    });
    Optional<Duration> uptime = qemu.get().info().startInstant().map(s -> Duration.between(s, Instant.now()));
    return Optional.of(new InstanceStatus(vmName, backend, state, List.of("127.0.0.1"), uptime, details));
  }

  List<InstanceStatus> all() {
    List<InstanceStatus> all = new ArrayList<>();
    for (Path dir : vmFolders()) {
      if (Files.isDirectory(dir) && Files.isRegularFile(new VmFiles(dir).imageVersion())) {
        of(new VmFiles(dir), dir.getFileName().toString(), true).ifPresent(all::add);
      }
    }
    return all;
  }

  /** The store paths each VM keeps alive, as {@code kept …} lines. */
  List<String> gcRoots() {
    List<String> kept = new ArrayList<>();
    try {
      for (Path vm : vmFolders()) {
        Path roots = new VmFiles(vm).gcroots();
        if (!Files.isDirectory(roots, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (var links = Files.list(roots)) {
          for (Path link : links.filter(Files::isSymbolicLink).sorted().toList()) {
            kept.add("kept " + Files.readSymbolicLink(link) + " (GC root " + link + ": " + vm.getFileName() + " boots from it)");
          }
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot read the VM folders in " + context.stateDir() + ": " + e.getMessage(), e);
    }
    return kept;
  }

  private List<Path> vmFolders() {
    try (var dirs = Files.list(context.stateDir())) {
      return dirs.sorted().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QubixException("cannot list " + context.stateDir() + ": " + e.getMessage(), e);
    }
  }
}
