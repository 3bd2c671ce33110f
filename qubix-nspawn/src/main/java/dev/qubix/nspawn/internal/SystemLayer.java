package dev.qubix.nspawn.internal;

import dev.qubix.CommandFailedException;
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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A container's files: the system layer recreate makes fresh (a copy of a rootfs image, or an empty
 * root a NixOS toplevel fills at boot; the image itself is never written), the home folder made once
 * and kept, and the GC root of the image. A new root appears by an atomic rename, whole or not at all.
 */
final class SystemLayer {
  static final String IMAGE_KEY = "nspawn";

  private final BackendContext context;
  private final ContainerFiles f;

  SystemLayer(BackendContext context, ContainerFiles f) {
    this.context = context;
    this.f = f;
  }

  static Image systemImage(MachineManifest m, ImageSet images) {
    return images.get(IMAGE_KEY).orElseThrow(() -> new ManifestException(m.pointer() + "/images/" + IMAGE_KEY,
        "missing: the nspawn backend needs an image with key nspawn (format rootfs or nixos-system)"));
  }

  static NspawnArgs.Boot bootOf(MachineManifest m, Image image) {
    if (image.format() != ImageFormat.ROOTFS && image.format() != ImageFormat.NIXOS_SYSTEM) {
      throw new ManifestException(m.pointer() + "/images/" + IMAGE_KEY + "/format", image.format().jsonName()
          + " is not a container image: nspawn boots rootfs (a folder with /sbin/init) or nixos-system "
          + "(a toplevel built with boot.isContainer = true)");
    }
    return new NspawnArgs.Boot(image.format(), image.file());
  }

  /** Refuses, before a running container is stopped for it, an image that cannot boot. */
  static void checkImage(NspawnArgs.Boot boot) {
    Path image = boot.image();
    if (!Files.isDirectory(image)) {
      throw new QubixException("the " + boot.format().jsonName() + " image " + image + " is not a folder");
    }
    if (boot.format() == ImageFormat.ROOTFS) {
      boolean init = RootfsPaths.resolve(image, "/sbin/init").filter(Files::isRegularFile).filter(Files::isExecutable).isPresent();
      if (!init) {
        throw new QubixException("the rootfs " + image + " has no executable /sbin/init (links are followed inside "
            + "the rootfs): a rootfs image is a folder the container boots with /sbin/init as PID 1");
      }
    } else if (!Files.isRegularFile(image.resolve("init"))) {
      throw new QubixException("the NixOS system " + image + " has no init: build the toplevel "
          + "(config.system.build.toplevel) of a configuration with boot.isContainer = true");
    }
  }

  /**
   * Refuses what would make systemd-nspawn bind the wrong thing: a home that is a link (it would
   * bind the link's target, outside the VM folder) or not a folder, and a folder path with ':',
   * which --bind and --load-credential read as their separator.
   */
  void checkFolder(MachineManifest m) {
    if (f.dir().toString().contains(":")) {
      throw new QubixException("the state folder " + f.dir() + " has a ':' in its path, which systemd-nspawn's --bind "
          + "reads as a separator: choose a state folder without ':' (withStateDir, --state-dir or QUBIX_STATE_DIR)");
    }
    Path home = f.home();
    if (!m.homeDisk().enable() || !Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isSymbolicLink(home)) {
      String target;
      try {
        target = Files.readSymbolicLink(home).toString();
      } catch (IOException e) {
        target = "?";
      }
      throw new QubixException("the home folder " + home + " is a link (to " + target + "), which would put a folder "
          + "outside the VM folder at the container's /home: replace the link with the folder itself");
    }
    if (!Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
      throw new QubixException("the home folder " + home + " is not a folder: move it away, and the next up makes an empty home");
    }
  }

  void pinImage(ImageSet images, Image image) {
    images.roots().pin(f.gcroots(), Map.of(IMAGE_KEY, image.storePath()));
  }

  void writeMachine(MachineManifest m) {
    try {
      context.privateVmDir(m.vmName());
      PrivateFiles.writeString(f.machine(), "machine=" + m.name() + "\nmode=" + m.mode().name().toLowerCase(Locale.ROOT) + "\n");
    } catch (IOException e) {
      throw new QubixException("cannot write " + f.machine() + ": " + e.getMessage(), e);
    }
  }

  /** A new root folder replaces the old one; {@code image-version} is written last. */
  void newRoot(NspawnArgs.Boot boot) {
    try {
      Files.deleteIfExists(f.imageVersion());
      Trees.delete(f.rootTmp());
      Trees.delete(f.rootOld());
      if (boot.format() == ImageFormat.ROOTFS) {
        try {
          // reflinks where the file system has them (btrfs, xfs): a copy then costs no space
          context.runner().run(Command.of("cp", "-a", "--reflink=auto", boot.image() + "/.", f.rootTmp().toString())
              .withTimeout(Duration.ofMinutes(10)));
        } catch (CommandFailedException e) {
          throw new QubixException("cannot copy the rootfs " + boot.image() + " to " + f.rootTmp() + ": "
              + String.join(" ", e.stderrTail()), e);
        }
      } else {
        nixosRoot(f.rootTmp());
      }
      if (Files.exists(f.root(), LinkOption.NOFOLLOW_LINKS)) {
        Files.move(f.root(), f.rootOld(), StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(f.rootTmp(), f.root(), StandardCopyOption.ATOMIC_MOVE);
      Trees.delete(f.rootOld());
      PrivateFiles.writeString(f.imageVersion(), boot.format().jsonName() + " " + boot.image().toAbsolutePath());
    } catch (IOException e) {
      throw new QubixException("cannot make the system layer in " + f.dir() + ": " + e.getMessage(), e);
    }
  }

  /** What nixos-container makes before it boots a toplevel: NixOS's activation writes the rest. */
  private static void nixosRoot(Path root) throws IOException {
    for (String dir : List.of("etc", "var/lib", "nix/store")) {
      Files.createDirectories(root.resolve(dir));
    }
    Files.createDirectories(root.resolve("root"), PosixFilePermissions.asFileAttribute(PrivateFiles.DIR));
    Files.createFile(root.resolve("etc/os-release"));
    Files.createFile(root.resolve("etc/machine-id"));
  }

  /**
   * The home folder, made once: 0755 itself, because the guest's users must reach their folders under
   * /home; the VM folder around it is 0700, so no other host user reaches it.
   */
  void ensureHome(MachineManifest m) {
    if (!m.homeDisk().enable() || Files.isDirectory(f.home(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      context.privateVmDir(m.vmName());
      Files.createDirectory(f.home(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    } catch (IOException e) {
      throw new QubixException("cannot create the home folder " + f.home() + ": " + e.getMessage(), e);
    }
  }

  /** The image this container was made from, as {@code image-version} recorded it. */
  NspawnArgs.Boot recordedBoot(MachineManifest m) {
    String[] line;
    try {
      line = Files.readString(f.imageVersion()).strip().split(" ", 2);
    } catch (IOException e) {
      throw new QubixException(m.vmName() + " does not exist: create it with recreate or up", e);
    }
    ImageFormat format = ImageFormat.fromJson(line[0]).orElse(ImageFormat.ROOTFS);
    Path image = Path.of(line.length > 1 ? line[1] : line[0]);
    if (!Files.exists(image)) {
      throw new QubixException("the image " + image + " that " + m.vmName()
          + " was created from is gone (garbage-collected by Nix?): run recreate to build and boot a current one");
    }
    return new NspawnArgs.Boot(format, image);
  }

  /** Removes the system layer and what says it exists; a purge also the home folder, the port and the secret. */
  void remove(MachineManifest m, boolean purge) {
    try {
      for (Path p : f.disposable()) {
        Files.deleteIfExists(p);
      }
      Trees.delete(f.root());
      Trees.delete(f.rootTmp());
      Trees.delete(f.rootOld());
      Trees.delete(f.gcroots());
      Trees.delete(f.homeOverlay());
      if (purge) {
        Trees.delete(f.home());
        Trees.delete(f.newHome());
        Trees.delete(f.newHomeTmp());
        Trees.delete(f.backups());
        Files.deleteIfExists(f.ports());
        Files.deleteIfExists(f.secret());
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
}
