package dev.qubix.microvm.internal;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line for a VM, as a pure function of the manifest and its files. Disks are
 * virtio with serial numbers ({@code qubix-system}, {@code qubix-home}) so a guest finds its home
 * disk whatever the order. The VM daemonizes: like a Hyper-V VM it outlives the JVM that started it.
 */
public final class QemuArgs {
  private QemuArgs() {}

  /** What to boot: a disk overlay, or a direct kernel (folder with kernel, initrd, kernel-params). */
  public record Boot(ImageFormat format, Path directFolder, String kernelParams) {}

  public static List<String> of(String qemu, MachineManifest m, VmFiles f, Boot boot, String accel, int hostPort,
      boolean withHome) {
    return of(qemu, m, f, boot, accel, hostPort, withHome ? f.home() : null);
  }

  /**
   * The command line with {@code homeDrive} (the home disk, or a disposable VM's overlay over it; null
   * for none) as the drive the guest knows by serial {@code qubix-home}, QEMU's block device {@code home}.
   */
  public static List<String> of(String qemu, MachineManifest m, VmFiles f, Boot boot, String accel, int hostPort,
      Path homeDrive) {
    List<String> a = new ArrayList<>(List.of(qemu,
        "-name", m.vmName(),
        "-accel", accel,
        "-m", Long.toString(m.memoryStartup().mebibytes()),
        "-smp", Integer.toString(m.cpuCount()),
        "-nodefaults", "-display", "none",
        "-daemonize", "-pidfile", f.pid().toString(),
        "-chardev", "file,id=serial0,path=" + value(f.serialLog()) + ",append=on", "-serial", "chardev:serial0",
        // not -qmp unix:PATH: there the path is the option list's implied first key, and a '=' in it
        // turns it into a key of its own; an explicit path= takes any value
        "-chardev", "socket,id=qmp0,path=" + value(f.qmp()) + ",server=on,wait=off", "-mon", "chardev=qmp0,mode=control"));
    // the VM's RDP password as a systemd credential: QEMU reads the 0600 hand-over file, so the value itself
    // is in no argument (a string= value would be in /proc/<pid>/cmdline for every local user to read)
    a.addAll(List.of("-fw_cfg", "name=" + VmSecret.FW_CFG_NAME + ",file=" + value(f.secretHandOver())));
    a.addAll(List.of("-netdev", netdev(m, hostPort), "-device", "virtio-net-pci,netdev=net0"));
    if (boot.format() == ImageFormat.DIRECT) {
      a.addAll(List.of("-kernel", boot.directFolder().resolve("kernel").toString(),
          "-initrd", boot.directFolder().resolve("initrd").toString(),
          "-append", boot.kernelParams()));
    } else {
      a.addAll(List.of("-drive", "file=" + value(f.system()) + ",format=qcow2,if=none,id=system",
          "-device", "virtio-blk-pci,drive=system,serial=qubix-system,bootindex=0"));
    }
    if (homeDrive != null) {
      a.addAll(List.of("-drive", "file=" + value(homeDrive) + ",format=qcow2,if=none,id=home",
          "-device", "virtio-blk-pci,drive=home,serial=qubix-home"));
    }
    return a;
  }

  /**
   * A path as the value inside a QEMU option list ({@code key=value,key=value}): QEMU's option parser
   * reads {@code ,,} as one literal comma, so a state folder like {@code /srv/vms,old} stays one value.
   */
  static String value(Path path) {
    return path.toString().replace(",", ",,");
  }

  /**
   * User-mode networking with the RDP port forwarded to 127.0.0.1. A static manifest gets the same
   * subnet and gateway as Hyper-V's NAT switch, so the image built for Hyper-V boots unchanged.
   */
  static String netdev(MachineManifest m, int hostPort) {
    Network n = m.network();
    StringBuilder sb = new StringBuilder("user,id=net0");
    String guest = "";
    if (n.isStatic()) {
      sb.append(",net=").append(n.natSwitchSubnet()).append(",host=").append(n.gateway());
      guest = n.staticIp().toString();
    }
    sb.append(",hostfwd=tcp:127.0.0.1:").append(hostPort).append('-').append(guest).append(':').append(m.rdp().port());
    return sb.toString();
  }
}
