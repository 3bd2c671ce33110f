package dev.qubix.microvm.internal;

import dev.qubix.CommandFailedException;
import dev.qubix.HomeMode;
import dev.qubix.ManifestException;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One VM's disks and the files that say what it boots: a qcow2 overlay over the store image (never a
 * copy), the home disk created once and kept, the image's GC roots. Every disk is written under a
 * private umask and appears by an atomic rename, whole or not at all.
 */
final class VmDisks {
  private final BackendContext context;
  private final QemuTools tools;
  private final VmFiles f;

  VmDisks(BackendContext context, QemuTools tools, VmFiles f) {
    this.context = context;
    this.tools = tools;
    this.f = f;
  }

  /** The image recreate boots, checked with {@code qemu-img info} before anything changes. */
  static Image systemImage(MachineManifest m, ImageSet images) {
    return images.get("microvm").orElseThrow(() -> new ManifestException(m.pointer() + "/images/microvm",
        "missing: the microvm backend needs an image with key microvm (qcow2, raw, vhdx or direct)"));
  }

  /** Refuses, before the running VM is stopped for them, images that cannot boot. */
  void checkImages(MachineManifest m, Image image, Optional<Image> home) {
    if (image.format() == ImageFormat.ROOTFS || image.format() == ImageFormat.NIXOS_SYSTEM) {
      throw new ManifestException(m.pointer() + "/images/microvm/format", image.format().jsonName()
          + " is a container image (the nspawn backend's): microvm boots qcow2, raw, vhdx or direct");
    }
    bootOf(image);
    checkDiskImage(m.pointer() + "/images/microvm", image);
    if (home.isPresent() && home.get().format() == ImageFormat.DIRECT) {
      throw new ManifestException(m.pointer() + "/images/home/format", "a home image must be a disk (qcow2, raw or vhdx), not direct");
    }
    if (home.isPresent() && m.homeDisk().enable() && !Files.exists(f.home())) {
      checkDiskImage(m.pointer() + "/images/home", home.get());
    }
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
    try {
      Path params = dir.resolve("kernel-params");
      return new QemuArgs.Boot(ImageFormat.DIRECT, dir, Files.isRegularFile(params) ? Files.readString(params).strip() : "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image this VM was created from, as recorded by the last recreate. */
  Image recordedImage(MachineManifest m) {
    String stored = read(f.imageVersion());
    if (!Files.exists(Path.of(stored))) {
      throw new QubixException("the image " + stored + " that " + m.vmName()
          + " was created from is gone (garbage-collected by Nix?): run recreate to build and boot a current one");
    }
    return new Image("microvm", m.image("microvm").map(r -> r.format()).orElse(ImageFormat.QCOW2), stored, Path.of(stored));
  }

  /**
   * The store paths this VM boots from (its image; the home seed) stay alive for as long as the VM
   * exists: a stopped VM still needs them, and nix-collect-garbage would otherwise delete them. Made
   * before the overlay is switched, so the new image is rooted before the old one's root goes.
   */
  void pinImages(ImageSet images, Image image, Optional<Image> home) {
    Map<String, String> roots = new LinkedHashMap<>();
    roots.put("microvm", image.storePath());
    home.ifPresent(h -> roots.put("home", h.storePath()));
    images.roots().pin(f.gcroots(), roots);
  }

  /**
   * Records which machine made this VM, its home mode, and the home image a disposable VM without a
   * home disk starts from (a start needs it again, without the build).
   */
  void writeMachine(MachineManifest m, HomeMode home, Optional<Image> seed) {
    try {
      context.privateVmDir(m.vmName());
      StringBuilder b = new StringBuilder("machine=" + m.name() + "\nmode=" + m.mode().name().toLowerCase(Locale.ROOT) + "\n");
      b.append(HomeMode.DETAIL).append('=').append(home.word()).append('\n');
      seed.filter(i -> i.format() != ImageFormat.DIRECT).ifPresent(i -> b.append("homeSeed=").append(i.file().toAbsolutePath())
          .append("\nhomeSeedFormat=").append(qemuFormat(i.format())).append('\n'));
      PrivateFiles.writeString(f.machine(), b.toString());
    } catch (IOException e) {
      throw new QubixException("cannot write " + f.machine() + ": " + e.getMessage(), e);
    }
  }

  void newSystemDisk(Image image) {
    try {
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

  /** The recorded {@code key=value} lines of {@link VmFiles#machine()}; empty for VMs made before they were recorded. */
  static Map<String, String> machineLines(VmFiles f) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(f.machine())) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          out.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException e) {
      // made before VMs recorded their machine
    }
    return out;
  }

  /** The home mode the last recreate gave this VM (persistent for VMs made before there were modes). */
  HomeMode homeMode() {
    return HomeMode.DISPOSABLE.word().equals(machineLines(f).get(HomeMode.DETAIL)) ? HomeMode.DISPOSABLE : HomeMode.PERSISTENT;
  }

  /**
   * The drive QEMU gets as the home: the home disk itself; for a disposable VM a fresh overlay over it
   * (QEMU opens a backing file read-only, so the home is never written), or over the home image, or a
   * blank one, when there is no home disk (and none is made). Every start of a disposable VM is pristine.
   */
  Optional<Path> homeDrive(MachineManifest m) {
    if (!m.homeDisk().enable()) {
      return Optional.empty();
    }
    if (homeMode() == HomeMode.PERSISTENT) {
      return Files.exists(f.home()) ? Optional.of(f.home()) : Optional.empty();
    }
    Path tmp = f.dir().resolve("home-disposable.qcow2.tmp");
    try {
      Files.deleteIfExists(f.homeOverlay());
      Files.deleteIfExists(tmp);
      Map<String, String> recorded = machineLines(f);
      if (Files.exists(f.home())) {
        context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2", "-F", "qcow2",
            "-b", f.home().toAbsolutePath().toString(), tmp.toString()));
      } else if (recorded.containsKey("homeSeed") && Files.exists(Path.of(recorded.get("homeSeed")))) {
        context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2", "-F", recorded.get("homeSeedFormat"),
            "-b", recorded.get("homeSeed"), tmp.toString()));
      } else {
        context.runner().run(privately(tools.qemuImg(), "create", "-q", "-f", "qcow2", tmp.toString(),
            m.homeDisk().sizeMiB() + "M"));
      }
      Files.move(tmp, f.homeOverlay(), StandardCopyOption.ATOMIC_MOVE);
      return Optional.of(f.homeOverlay());
    } catch (IOException e) {
      throw new QubixException("cannot make the disposable home overlay " + f.homeOverlay() + ": " + e.getMessage(), e);
    }
  }

  /** A disposable VM's overlay goes when its QEMU has stopped: what the guest wrote is gone. */
  void discardOverlay() {
    try {
      Files.deleteIfExists(f.homeOverlay());
    } catch (IOException e) {
      throw new QubixException("cannot discard the disposable home overlay " + f.homeOverlay() + ": " + e.getMessage(), e);
    }
  }

  void ensureHome(MachineManifest m, Optional<Image> homeImage) {
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

  /** Removes the disposable files and the GC roots; a purge also the home disk, its backups, the port and the secret. */
  void remove(MachineManifest m, boolean purge) {
    try {
      for (Path p : f.disposable()) {
        Files.deleteIfExists(p);
      }
      dropGcRoots();
      if (purge) {
        Files.deleteIfExists(f.home());
        Files.deleteIfExists(f.ports());
        VmSecret.of(context).forget(f);
        deleteTree(f.backups());
        try (var left = Files.list(f.dir())) {
          if (left.findAny().isEmpty()) {
            Files.delete(f.dir());
          }
        }
      }
    } catch (NoSuchFileException e) {
      // nothing was there
    } catch (IOException e) {
      throw new QubixException("cannot remove the files of " + m.vmName() + " in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** Destroy's side of {@link #pinImages}: the links go; Nix's next collection drops the roots. */
  private void dropGcRoots() throws IOException {
    if (!Files.isDirectory(f.gcroots(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var links = Files.list(f.gcroots())) {
      for (Path link : links.filter(Files::isSymbolicLink).toList()) {
        Files.delete(link);
      }
    }
    Files.deleteIfExists(f.gcroots());
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

  /** qemu-img with a umask that makes its disks 0600 from the first byte. */
  private static Command privately(String program, String... args) {
    List<String> argv = new ArrayList<>(List.of(program));
    argv.addAll(List.of(args));
    return Command.of(PrivateFiles.withPrivateUmask(argv));
  }

  static String qemuFormat(ImageFormat format) {
    return switch (format) {
      case QCOW2 -> "qcow2";
      case RAW -> "raw";
      case VHDX -> "vhdx";
      case DIRECT -> throw new IllegalArgumentException("direct images have no disk");
      case ROOTFS, NIXOS_SYSTEM -> throw new IllegalArgumentException(format.jsonName() + " is a container image, not a disk");
    };
  }

  static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
