package dev.qubix.microvm.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.CommandFailedException;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.OperationTimeoutException;
import dev.qubix.Plan;
import dev.qubix.Purge;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Command;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.microvm.MicrovmBackendProvider;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PrivateFiles;
import dev.qubix.spi.StepRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * QEMU VMs under {@code <stateDir>/<vmName>/}: a qcow2 overlay over the store image (never a copy),
 * a home disk created once and kept, QEMU daemonized with a pid file and a QMP socket.
 */
public final class MicrovmBackend implements Backend {
  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration RECREATE_GRACE = Duration.ofSeconds(30);
  private static final Duration POWER_BUTTON_REPEAT = Duration.ofSeconds(3);
  private static final long SERIAL_ROTATE_BYTES = 4L << 20;

  private final BackendContext context;
  private final QemuTools tools;

  public MicrovmBackend(BackendContext context) {
    this.context = context;
    this.tools = QemuTools.of(context.host());
  }

  @Override
  public String name() {
    return MicrovmBackendProvider.NAME;
  }

  @Override
  public BackendContext context() {
    return context;
  }

  @Override
  public Set<String> imageKeys() {
    return Set.of("microvm", "home");
  }

  VmFiles files(MachineManifest m) {
    return new VmFiles(context.stateDir().resolve(m.vmName()));
  }

  // ---- plans ----

  @Override
  public Plan plan(Operation op, MachineManifest m, ImageSet images) {
    VmFiles f = files(m);
    List<Step> steps = new ArrayList<>();
    boolean exists = Files.exists(f.imageVersion());
    switch (op) {
      case RECREATE, UP -> {
        if (op == Operation.UP && exists) {
          steps.add(Step.of("start", "start " + m.vmName() + " if it is stopped (nothing is rebuilt)"));
          break;
        }
        String image = images.get("microvm").map(i -> i.storePath()).orElse(m.image("microvm")
            .map(r -> r.packageName() + " (built by Nix first)").orElse("(no microvm image in the manifest)"));
        if (exists) {
          steps.add(Step.of("stop-old", "stop the running VM (ACPI power button, " + RECREATE_GRACE.toSeconds() + " s grace)"));
        }
        steps.add(Step.of("clean", "remove stale pid file and QMP socket"));
        boolean direct = m.image("microvm").map(r -> r.format() == ImageFormat.DIRECT).orElse(false);
        steps.add(Step.of("system-disk", (direct ? "boot " + image + " directly (kernel + initrd), no system disk"
            : "new overlay " + f.system() + " over " + image + " (the image is never copied)")
            + "; its store paths become GC roots in " + f.gcroots()));
        if (m.homeDisk().enable()) {
          steps.add(Step.of("home-disk", Files.exists(f.home()) ? "keep the home disk " + f.home()
              : "create the home disk " + f.home() + (images.get("home").isPresent() || m.image("home").isPresent()
                  ? " from the home image" : " (blank, " + m.homeDisk().sizeMiB() + " MiB)")));
        }
        steps.add(Step.of("secret", Files.exists(f.secret()) ? "keep the VM's RDP secret " + f.secret()
            : "generate the VM's RDP secret (192 random bits) in " + f.secret() + " (0600)"));
        steps.add(Step.of("port", "forward 127.0.0.1:" + Ports.read(f.ports()).map(String::valueOf).orElse("<free port>")
            + " to the guest's RDP port " + m.rdp().port()));
        steps.add(Step.of("start", "start QEMU (" + m.cpuCount() + " CPU, " + m.memoryStartup() + ")"));
        steps.add(Step.of("wait-running", "wait until QMP reports running"));
      }
      case START -> steps.add(Step.of("start", "start QEMU for " + m.vmName()));
      case STOP -> steps.add(Step.of("stop", "ACPI power button, then quit after the grace period"));
      case DESTROY -> {
        steps.add(Step.of("stop", "stop the VM"));
        steps.add(Step.of("remove", "remove system disk, pid, socket, serial log; keep " + f.home() + " and the RDP port"));
      }
      case PURGE -> {
        steps.add(Step.of("stop", "stop the VM"));
        steps.add(Step.of("remove", "remove " + f.dir() + " with the home disk and the RDP secret"));
      }
    }
    return new Plan(op, name(), m.name(), steps);
  }

  // ---- operations ----

  @Override
  public Instance recreate(MachineManifest m, ImageSet images) {
    requireQemu();
    Image image = images.get("microvm").orElseThrow(() -> new ManifestException(m.pointer() + "/images/microvm",
        "missing: the microvm backend needs an image with key microvm (qcow2, raw, vhdx or direct)"));
    VmFiles f = files(m);
    QemuArgs.Boot boot = bootOf(image);
    // a corrupt image must fail here, before the running VM is stopped for it
    checkDiskImage(m.pointer() + "/images/microvm", image);
    Optional<Image> home = images.get("home");
    if (home.isPresent() && home.get().format() == ImageFormat.DIRECT) {
      throw new ManifestException(m.pointer() + "/images/home/format", "a home image must be a disk (qcow2, raw or vhdx), not direct");
    }
    if (home.isPresent() && m.homeDisk().enable() && !Files.exists(f.home())) {
      checkDiskImage(m.pointer() + "/images/home", home.get());
    }
    if (runningQemu(f).isEmpty()) {
      Ports.read(f.ports()).ifPresent(port -> requireFree(m, f, port));
    }
    Plan plan = plan(Operation.RECREATE, m, images);
    Map<String, Runnable> actions = new LinkedHashMap<>();
    actions.put("stop-old", () -> stopQuietly(m, RECREATE_GRACE));
    actions.put("clean", () -> {
      privateFolder(f);
      clean(f);
    });
    actions.put("system-disk", () -> {
      pinImages(f, images, image, home);
      writeMachine(m, f);
      newSystemDisk(f, image);
    });
    actions.put("home-disk", () -> ensureHome(m, f, home));
    actions.put("secret", () -> VmSecret.ensure(f));
    actions.put("port", () -> Ports.ensure(f.ports()));
    actions.put("start", () -> launch(m, f, boot));
    actions.put("wait-running", () -> waitRunning(m, f));
    new StepRunner(context.listener()).run(plan, actions);
    return instance(m);
  }

  @Override
  public Optional<InstanceStatus> status(MachineManifest m) {
    return status(files(m), m.vmName(), new LinkedHashMap<>());
  }

  @Override
  public List<InstanceStatus> list() {
    List<InstanceStatus> all = new ArrayList<>();
    try (var dirs = Files.list(context.stateDir())) {
      for (Path dir : dirs.sorted().toList()) {
        VmFiles f = new VmFiles(dir);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(f.imageVersion())) {
          continue;
        }
        Map<String, String> details = new LinkedHashMap<>();
        try {
          for (String line : Files.readAllLines(f.machine())) {
            int eq = line.indexOf('=');
            if (eq > 0) {
              details.put(line.substring(0, eq), line.substring(eq + 1));
            }
          }
        } catch (IOException e) {
          // made before VMs recorded their machine: the listing shows the VM name only
        }
        details.put("imageVersion", read(f.imageVersion()));
        if (Files.exists(f.home())) {
          details.put("home", f.home().toString());
        }
        status(f, dir.getFileName().toString(), details).ifPresent(all::add);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QubixException("cannot list " + context.stateDir() + ": " + e.getMessage(), e);
    }
    return all;
  }

  private Optional<InstanceStatus> status(VmFiles f, String vmName, Map<String, String> details) {
    if (!Files.exists(f.imageVersion())) {
      return Optional.empty();
    }
    Optional<ProcessHandle> qemu = runningQemu(f);
    details.put("stateDir", f.dir().toString());
    details.put("serialLog", f.serialLog().toString());
    Ports.read(f.ports()).ifPresent(p -> details.put("rdp", "127.0.0.1:" + p));
    if (qemu.isEmpty()) {
      return Optional.of(new InstanceStatus(vmName, name(), InstanceStatus.State.STOPPED, List.of(), Optional.empty(), details));
    }
    InstanceStatus.State state;
    try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      state = switch (qmp.status()) {
        case "running" -> InstanceStatus.State.RUNNING;
        case "paused", "suspended" -> InstanceStatus.State.PAUSED;
        case "shutdown" -> InstanceStatus.State.STOPPING;
        case "prelaunch", "inmigrate" -> InstanceStatus.State.STARTING;
        default -> InstanceStatus.State.UNKNOWN;
      };
    } catch (QubixException e) {
      state = InstanceStatus.State.UNKNOWN;
    }
    details.put("pid", Long.toString(qemu.get().pid()));
    qemu.get().info().arguments().map(List::of).ifPresent(args -> {
      int i = args.indexOf("-accel");
      if (i >= 0 && i + 1 < args.size()) {
        details.put("accel", args.get(i + 1));
      }
    });
    Optional<Duration> uptime = qemu.get().info().startInstant().map(s -> Duration.between(s, Instant.now()));
    return Optional.of(new InstanceStatus(vmName, name(), state, List.of("127.0.0.1"), uptime, details));
  }

  @Override
  public void start(MachineManifest m) {
    requireQemu();
    VmFiles f = files(m);
    if (!Files.exists(f.imageVersion())) {
      throw new QubixException(m.vmName() + " does not exist: create it with recreate or up");
    }
    if (runningQemu(f).isPresent()) {
      return;
    }
    clean(f);
    String stored = read(f.imageVersion());
    if (!Files.exists(Path.of(stored))) {
      throw new QubixException("the image " + stored + " that " + m.vmName()
          + " was created from is gone (garbage-collected by Nix?): run recreate to build and boot a current one");
    }
    Image image = new Image("microvm", m.image("microvm").map(r -> r.format()).orElse(ImageFormat.QCOW2), stored,
        Path.of(stored));
    launch(m, f, bootOf(image));
    waitRunning(m, f);
  }

  /**
   * Presses the ACPI power button again every few seconds until the grace period ends: a press that
   * arrives while the guest is still booting (before its button driver is loaded) is lost, and a
   * guest already shutting down ignores further presses (systemd-logind: "already a shutdown in
   * progress"). Then QMP quit, then kill.
   */
  @Override
  public void stop(MachineManifest m, Duration grace) {
    VmFiles f = files(m);
    Optional<ProcessHandle> qemu = runningQemu(f);
    if (qemu.isEmpty()) {
      clean(f);
      return;
    }
    long start = System.nanoTime();
    long nextPress = start;
    String what = "graceful shutdown of " + m.vmName();
    while (qemu.get().isAlive()) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (elapsed.compareTo(grace) >= 0) {
        break;
      }
      if (System.nanoTime() - nextPress >= 0) {
        qmpQuietly(f, "system_powerdown");
        nextPress = System.nanoTime() + POWER_BUTTON_REPEAT.toNanos();
      }
      ProgressListener.safely(context.listener(), new ProgressEvent.Waiting(what, elapsed, grace));
      sleep(100);
    }
    if (qemu.get().isAlive()) {
      qmpQuietly(f, "quit");
      if (!waitExit(qemu.get(), Duration.ofSeconds(5), "QEMU quit")) {
        qemu.get().destroyForcibly();
        waitExit(qemu.get(), Duration.ofSeconds(5), "QEMU kill");
      }
    }
    clean(f);
  }

  /** A QMP command whose failure only means QEMU is already going away: the caller checks the process. */
  private static void qmpQuietly(VmFiles f, String command) {
    try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
      qmp.execute(command);
    } catch (QubixException e) {
      // QMP gone or closing: the process check that follows decides
    }
  }

  @Override
  public void destroy(MachineManifest m, Purge purge) {
    VmFiles f = files(m);
    stopQuietly(m, Duration.ofSeconds(30));
    try {
      for (Path p : f.disposable()) {
        Files.deleteIfExists(p);
      }
      dropGcRoots(f);
      if (purge == Purge.EVERYTHING) {
        Files.deleteIfExists(f.home());
        Files.deleteIfExists(f.ports());
        Files.deleteIfExists(f.secret());
        try (var left = Files.list(f.dir())) {
          if (left.findAny().isEmpty()) {
            Files.delete(f.dir());
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // nothing was there
    } catch (IOException e) {
      throw new QubixException("cannot remove the files of " + m.vmName() + " in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The store paths this VM boots from (its image; the home seed) stay alive for as long as the VM
   * exists: a stopped VM still needs them, and nix-collect-garbage would otherwise delete them. Made
   * before the overlay is switched, so the new image is rooted before the old one's root goes.
   */
  private static void pinImages(VmFiles f, ImageSet images, Image image, Optional<Image> home) {
    Map<String, String> roots = new LinkedHashMap<>();
    roots.put("microvm", image.storePath());
    home.ifPresent(h -> roots.put("home", h.storePath()));
    images.roots().pin(f.gcroots(), roots);
  }

  /**
   * A microvm VM never copies its image, so there is nothing to delete; gc says which store paths
   * each VM keeps alive (its GC roots), so a user knows what nix-collect-garbage will leave.
   */
  @Override
  public List<String> gc(MachineManifest m) {
    List<String> kept = new ArrayList<>();
    try (var vms = Files.list(context.stateDir())) {
      for (Path vm : vms.sorted().toList()) {
        Path roots = new VmFiles(vm).gcroots();
        if (!Files.isDirectory(roots, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (var links = Files.list(roots)) {
          for (Path link : links.filter(Files::isSymbolicLink).sorted().toList()) {
            kept.add("kept " + Files.readSymbolicLink(link) + " (GC root " + link + ": " + vm.getFileName() + " boots from it)");
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new QubixException("cannot read the VM folders in " + context.stateDir() + ": " + e.getMessage(), e);
    }
    return kept;
  }

  /** Destroy's side of {@link #pinImages}: the links go; Nix's next collection drops the roots. */
  private static void dropGcRoots(VmFiles f) throws IOException {
    if (!Files.isDirectory(f.gcroots(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var links = Files.list(f.gcroots())) {
      for (Path link : links.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
    Files.deleteIfExists(f.gcroots());
  }

  /**
   * Only while this VM's QEMU runs: then QEMU itself holds the forwarded port, so whatever answers
   * on it is the guest. With the VM stopped another local process could listen there and collect
   * the password from the client.
   */
  @Override
  public Optional<String> rdpPassword(MachineManifest m) {
    VmFiles f = files(m);
    return runningQemu(f).isPresent() ? VmSecret.read(f) : Optional.empty();
  }

  /**
   * A running guest set its password from the credential at boot and keeps it until it boots again:
   * rotating under it would leave {@code connect} with a password the guest does not know.
   */
  @Override
  public void rotateSecret(MachineManifest m) {
    VmFiles f = files(m);
    if (!Files.exists(f.imageVersion())) {
      throw new QubixException(m.vmName() + " does not exist: its secret is made by the first up or recreate");
    }
    if (runningQemu(f).isPresent()) {
      throw new QubixException(m.vmName() + " is running, and its guest keeps the current password until it boots "
          + "again: stop it, rotate, then start it");
    }
    VmSecret.rotate(f);
  }

  @Override
  public Endpoint endpoint(MachineManifest m) {
    VmFiles f = files(m);
    return Ports.read(f.ports()).map(p -> new Endpoint("127.0.0.1", p))
        .orElseThrow(() -> new QubixException(m.vmName() + " has no forwarded RDP port yet: create it with up or recreate"));
  }

  // ---- pieces ----

  private void requireQemu() {
    tools.missing().ifPresent(t -> {
      throw new BackendUnavailableException(t + " not found: install QEMU (apt-get install qemu-system-x86 qemu-utils) or set QUBIX_QEMU");
    });
  }

  static QemuArgs.Boot bootOf(Image image) {
    if (image.format() != ImageFormat.DIRECT) {
      return new QemuArgs.Boot(image.format(), null, null);
    }
    Path dir = image.file();
    for (String part : List.of("kernel", "initrd")) {
      if (!Files.isRegularFile(dir.resolve(part))) {
        throw new QubixException("the direct-boot image " + dir + " has no " + part
            + ": a direct image is a folder with kernel, initrd and optionally kernel-params");
      }
    }
    String params = "";
    try {
      if (Files.isRegularFile(dir.resolve("kernel-params"))) {
        params = Files.readString(dir.resolve("kernel-params")).strip();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new QemuArgs.Boot(ImageFormat.DIRECT, dir, params);
  }

  /** {@code qemu-img info} with the declared format: a corrupt or mislabelled image is named before any change. */
  private void checkDiskImage(String pointer, Image image) {
    if (image.format() == ImageFormat.DIRECT) {
      return;
    }
    if (!Files.isRegularFile(image.file())) {
      throw new QubixException("the image " + image.file() + " (" + pointer + ") does not exist");
    }
    try {
      context.runner().run(Command.of(tools.qemuImg(), "info", "-f", qemuFormat(image.format()), "--output=json",
          image.file().toString()).withTimeout(Duration.ofSeconds(30)));
    } catch (CommandFailedException e) {
      throw new QubixException("the image " + image.file() + " (" + pointer + ") cannot be used as a "
          + image.format().jsonName() + " backing file: " + String.join(" ", e.stderrTail())
          + "; rebuild it, or fix the format declared in the manifest", e);
    }
  }

  private void stopQuietly(MachineManifest m, Duration grace) {
    if (runningQemu(files(m)).isPresent()) {
      stop(m, grace);
    }
  }

  /** Removes what a dead QEMU left behind; refuses to touch a live one. */
  private void clean(VmFiles f) {
    if (runningQemu(f).isPresent()) {
      return;
    }
    try {
      Files.deleteIfExists(f.pid());
      Files.deleteIfExists(f.qmp());
    } catch (IOException e) {
      throw new QubixException("cannot clean stale state in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  private void writeMachine(MachineManifest m, VmFiles f) {
    try {
      PrivateFiles.directories(context.stateDir(), f.dir());
      PrivateFiles.writeString(f.machine(), "machine=" + m.name() + "\nmode=" + m.mode().name().toLowerCase(java.util.Locale.ROOT) + "\n");
    } catch (IOException e) {
      throw new QubixException("cannot write " + f.machine() + ": " + e.getMessage(), e);
    }
  }

  private void newSystemDisk(VmFiles f, Image image) {
    try {
      privateFolder(f);
      Files.deleteIfExists(f.system());
      Files.deleteIfExists(f.imageVersion());
      if (image.format() != ImageFormat.DIRECT) {
        Path tmp = f.dir().resolve("system.qcow2.tmp");
        Files.deleteIfExists(tmp);
        try {
          context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2",
              "-F", qemuFormat(image.format()), "-b", image.file().toAbsolutePath().toString(), tmp.toString()));
        } catch (CommandFailedException e) {
          throw new QubixException("the system image " + image.file() + " cannot be used as a " + image.format().jsonName()
              + " backing file: " + String.join(" ", e.stderrTail()), e);
        }
        Files.move(tmp, f.system(), StandardCopyOption.ATOMIC_MOVE);
      }
      // written last: its presence means "this VM exists and boots this image"
      PrivateFiles.writeString(f.imageVersion(), image.file().toAbsolutePath().toString());
    } catch (IOException e) {
      throw new QubixException("cannot prepare the system disk in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  /** The state dir and the VM folder, 0700 (a wider one is tightened with a warning). */
  private void privateFolder(VmFiles f) {
    try {
      PrivateFiles.directories(context.stateDir(), f.dir());
    } catch (IOException e) {
      throw new QubixException("cannot make the VM folder " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * QEMU's {@code -daemonize} sets its own umask (027) before it creates the QMP socket, so the socket
   * comes out 0750 whatever umask it was started with. It lives in a 0700 folder from the start, so no
   * one else can reach it in between; once QEMU has started it is made 0600 like everything else.
   */
  private static void privateSocket(VmFiles f) {
    try {
      if (Files.exists(f.qmp(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.setPosixFilePermissions(f.qmp(), PrivateFiles.FILE);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // the folder's 0700 still keeps others out
    }
  }

  /** qemu-img with a umask that makes its disks 0600 from the first byte. */
  private static Command privately(String program, String... args) {
    List<String> argv = new ArrayList<>(List.of(program));
    argv.addAll(List.of(args));
    return Command.of(PrivateFiles.withPrivateUmask(argv));
  }

  private void ensureHome(MachineManifest m, VmFiles f, Optional<Image> homeImage) {
    if (!m.homeDisk().enable() || Files.exists(f.home())) {
      return;
    }
    Path tmp = f.dir().resolve("home.qcow2.tmp");
    try {
      Files.deleteIfExists(tmp);
      if (homeImage.isPresent()) {
        // the declared format, never a probe: a probed raw image could claim a host file as backing
        context.runner().run(privately(tools.qemuImg(), "convert", "-q", "-f", qemuFormat(homeImage.get().format()),
            "-O", "qcow2", homeImage.get().file().toString(), tmp.toString()));
      } else {
        context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2", tmp.toString(),
            m.homeDisk().sizeMiB() + "M"));
      }
      // the rename makes a half-written home disk impossible: it exists whole or not at all
      Files.move(tmp, f.home(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QubixException("cannot create the home disk " + f.home() + ": " + e.getMessage(), e);
    }
  }

  private void launch(MachineManifest m, VmFiles f, QemuArgs.Boot boot) {
    int port = Ports.ensure(f.ports());
    requireFree(m, f, port);
    rotateSerialLog(f);
    String accel = Accelerator.choose(context.host(), context.runner(), tools.qemu(), context.stateDir().resolve("cache"));
    boolean home = m.homeDisk().enable() && Files.exists(f.home());
    List<String> argv = QemuArgs.of(tools.qemu(), m, f, boot, accel, port, home);
    try {
      privateFolder(f);
      VmSecret.ensure(f);   // a VM made before Qubix had secrets gets one at its next start
      // QEMU appends to an existing log and keeps its mode: one from before Qubix made files private is tightened
      PrivateFiles.open(f.serialLog(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND).close();
      f.ensureQmpFolder();
    } catch (IOException e) {
      throw new QubixException("cannot start " + m.vmName() + ": " + e.getMessage(), e);
    }
    try {
      context.runner().run(Command.of(PrivateFiles.withPrivateUmask(argv)).withTimeout(Duration.ofMinutes(2)));
      privateSocket(f);
    } catch (CommandFailedException e) {
      killIfStarted(f);
      throw new QubixException("QEMU could not start " + m.vmName() + ": " + String.join(" ", e.stderrTail()), e);
    } catch (OperationTimeoutException e) {
      killIfStarted(f);
      throw e;
    }
  }

  /**
   * The kept port stays the VM's port (saved .rdp files and firewall rules keep working); when another
   * process holds it, saying so beats silently moving the VM to a new one.
   */
  private static void requireFree(MachineManifest m, VmFiles f, int port) {
    if (!Ports.isFree(port)) {
      throw new QubixException("port " + port + " on 127.0.0.1 (the RDP forward of " + m.vmName() + ", kept in "
          + f.ports() + ") is used by another process: free it, or delete " + f.ports() + " so Qubix picks a new port");
    }
  }

  private void waitRunning(MachineManifest m, VmFiles f) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "no QEMU process";
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> qemu = runningQemu(f);
      if (qemu.isEmpty()) {
        throw new QubixException("QEMU for " + m.vmName() + " exited right after starting; see " + f.serialLog());
      }
      try (Qmp qmp = Qmp.connect(f.qmp(), QMP_TIMEOUT)) {
        last = qmp.status();
        if (last.equals("running")) {
          return;
        }
      } catch (QubixException e) {
        last = e.getMessage();
      }
      sleep(100);
    }
    killIfStarted(f);
    throw new OperationTimeoutException(m.vmName() + " did not reach running within 60 s (last: " + last + ")");
  }

  private void killIfStarted(VmFiles f) {
    runningQemu(f).ifPresent(p -> {
      p.destroyForcibly();
      waitExit(p, Duration.ofSeconds(5), "QEMU kill");
    });
    clean(f);
  }

  /** The QEMU process of this VM, if its pid file names a live QEMU (a reused pid is not ours). */
  Optional<ProcessHandle> runningQemu(VmFiles f) {
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

  private boolean waitExit(ProcessHandle p, Duration limit, String what) {
    long start = System.nanoTime();
    while (p.isAlive()) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (elapsed.compareTo(limit) >= 0) {
        return false;
      }
      ProgressListener.safely(context.listener(), new ProgressEvent.Waiting(what, elapsed, limit));
      sleep(100);
    }
    return true;
  }

  private static void rotateSerialLog(VmFiles f) {
    try {
      if (Files.isRegularFile(f.serialLog()) && Files.size(f.serialLog()) > SERIAL_ROTATE_BYTES) {
        Files.move(f.serialLog(), f.dir().resolve("serial.log.1"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // a log that cannot rotate keeps growing; not a reason to fail a start
    }
  }

  private static String qemuFormat(ImageFormat format) {
    return switch (format) {
      case QCOW2 -> "qcow2";
      case RAW -> "raw";
      case VHDX -> "vhdx";
      case DIRECT -> throw new IllegalArgumentException("direct images have no disk");
    };
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QubixException("interrupted");
    }
  }
}
