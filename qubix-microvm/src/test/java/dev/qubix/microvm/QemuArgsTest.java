package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.microvm.internal.QemuArgs;
import dev.qubix.microvm.internal.VmFiles;
import dev.qubix.testing.TestManifest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuArgsTest {
  private static final TestManifest SPOTIBOX = TestManifest.machine("spotibox").withCpuCount(2)
      .withMemory(2147483648L, 6442450944L).withStaticIp("192.168.250.10", 24, "192.168.250.1")
      .withHomeDisk(16384).withImagePackage("microvm", "spotibox-qcow2", "qcow2");
  private static final String STATIC = SPOTIBOX.json();

  @Test
  void staticNetworkGetsTheNatSubnetSoTheHyperVImageBootsUnchanged() {
    MachineManifest m = ManifestReader.read(STATIC, "spotibox");
    VmFiles f = new VmFiles(Path.of("/state/qubix-spotibox"));

    List<String> argv = QemuArgs.of("qemu-system-x86_64", m, f, new QemuArgs.Boot(ImageFormat.QCOW2, null, null), "tcg", 40001, true);

    assertThat(argv).containsSequence("-netdev",
        "user,id=net0,net=192.168.250.0/24,host=192.168.250.1,hostfwd=tcp:127.0.0.1:40001-192.168.250.10:3389");
    assertThat(argv).containsSequence("-m", "2048").containsSequence("-smp", "2").containsSequence("-accel", "tcg");
    assertThat(argv).containsSequence("-device", "virtio-blk-pci,drive=system,serial=qubix-system,bootindex=0");
    assertThat(argv).containsSequence("-device", "virtio-blk-pci,drive=home,serial=qubix-home");
    assertThat(argv).contains("-daemonize");
    assertThat(String.join(" ", argv).indexOf("drive=system")).isLessThan(String.join(" ", argv).indexOf("drive=home"));
  }

  @Test
  void directBootHasNoSystemDiskAndTheHomeDiskFirst() {
    MachineManifest m = ManifestReader.read(SPOTIBOX.withImagePackage("microvm", "spotibox-qcow2", "direct").json(), "spotibox");

    List<String> argv = QemuArgs.of("qemu", m, new VmFiles(Path.of("/s/v")),
        new QemuArgs.Boot(ImageFormat.DIRECT, Path.of("/nix/store/x-tiny"), "console=ttyS0"), "kvm", 40002, true);

    assertThat(argv).containsSequence("-kernel", "/nix/store/x-tiny/kernel", "-initrd", "/nix/store/x-tiny/initrd",
        "-append", "console=ttyS0");
    assertThat(String.join(" ", argv)).doesNotContain("drive=system");
  }

  @Test
  void dhcpForwardsToQemusDefaultGuestAndTheSerialLogIsAppended() {
    MachineManifest m = ManifestReader.read(SPOTIBOX.withDhcp().json(), "spotibox");
    VmFiles f = new VmFiles(Path.of("/s/v"));

    List<String> argv = QemuArgs.of("qemu", m, f, new QemuArgs.Boot(ImageFormat.QCOW2, null, null), "tcg", 40003, false);

    assertThat(argv).containsSequence("-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:40003-:3389");
    // append=on: QEMU truncates a plain -serial file: on every start, and the log is the guest's history
    assertThat(argv).containsSequence("-chardev", "file,id=serial0,path=/s/v/serial.log,append=on", "-serial", "chardev:serial0");
    assertThat(argv).containsSequence("-daemonize", "-pidfile", "/s/v/qemu.pid");
    assertThat(argv).containsSequence("-chardev", "socket,id=qmp0,path=/s/v/qmp.sock,server=on,wait=off",
        "-mon", "chardev=qmp0,mode=control");
    assertThat(String.join(" ", argv)).doesNotContain("qubix-home");
  }

  @Test
  void commasInPathsAreDoubledForQemusOptionParser() {
    VmFiles f = new VmFiles(Path.of("/srv/vms,old/qubix-x"));

    List<String> argv = QemuArgs.of("qemu", ManifestReader.read(STATIC, "spotibox"), f, new QemuArgs.Boot(ImageFormat.QCOW2, null, ""), "tcg", 3390, true);

    assertThat(argv).contains("file,id=serial0,path=/srv/vms,,old/qubix-x/serial.log,append=on",
        "socket,id=qmp0,path=/srv/vms,,old/qubix-x/qmp.sock,server=on,wait=off",
        "file=/srv/vms,,old/qubix-x/system.qcow2,format=qcow2,if=none,id=system",
        "file=/srv/vms,,old/qubix-x/home.qcow2,format=qcow2,if=none,id=home");
    assertThat(argv).containsSequence("-pidfile", "/srv/vms,old/qubix-x/qemu.pid");   // a plain argument: as it is
  }

  @Test
  void theSecretReachesTheGuestAsASystemdCredentialFromItsHandOverFileNeverAsAValue() {
    VmFiles f = new VmFiles(Path.of("/srv/vms,old/qubix-x"));

    List<String> argv = QemuArgs.of("qemu", ManifestReader.read(STATIC, "spotibox"), f, new QemuArgs.Boot(ImageFormat.QCOW2, null, ""), "tcg", 3390, true);

    assertThat(argv).containsSequence("-fw_cfg",
        "name=opt/io.systemd.credentials/qubix.rdp-password,file=/srv/vms,,old/qubix-x/rdp-password.qemu");
    assertThat(String.join(" ", argv)).doesNotContain("string=");
  }

  @Test
  void aStateFolderTooDeepForASocketAddressGetsItsQmpSocketInAShortPrivateFolder() {
    VmFiles shallow = new VmFiles(Path.of("/s/qubix-x"));
    VmFiles deep = new VmFiles(Path.of("/home/jane/" + "very long folder name ".repeat(5) + "/qubix-x"));

    assertThat(shallow.qmp()).isEqualTo(Path.of("/s/qubix-x/qmp.sock"));
    assertThat(deep.qmp().toString()).hasSizeLessThan(100).startsWith(System.getProperty("java.io.tmpdir")).endsWith(".sock");
    assertThat(new VmFiles(deep.dir()).qmp()).as("every process finds the same socket").isEqualTo(deep.qmp());
  }
}
