# NixOS VM test (checks.x86_64-linux.home-persistence): a file written to /home survives
# a reboot when a second disk labelled qubix-home is attached; without that disk the
# machine still boots (chosen behaviour: `nofail`, see lib/home-mount.nix) with /home on
# the system disk, and qubix-home.service says so in the journal.
#   nix build ./nix#checks.x86_64-linux.home-persistence -L     (Nix >= 2.18, KVM)
# API: pkgs.testers.runNixOSTest (nixos/lib/testing/); virtualisation.emptyDiskImages
# (a blank second disk, /dev/vdb) and virtualisation.fileSystems
# (nixos/modules/virtualisation/qemu-vm.nix: the VM's fileSystems are replaced by it,
# so the machine's /home entry is handed in from lib/home-mount.nix). Driver: start,
# shutdown, wait_for_unit, succeed, fail (nixos/lib/test-driver).
{ pkgs, machine }:
pkgs.testers.runNixOSTest {
  name = "home-persistence";
  node.pkgsReadOnly = false;

  nodes.machine =
    { lib, ... }:
    {
      imports = [ machine ];
      virtualisation.memorySize = 2048;
      virtualisation.emptyDiskImages = [ 512 ];
      virtualisation.fileSystems."/home" = import ../lib/home-mount.nix "qubix-home";
      networking.useDHCP = lib.mkForce false;
    };

  testScript = ''
    machine.start()
    machine.wait_for_unit("multi-user.target")

    with subtest("no disk labelled qubix-home: boot completes, /home is on the system disk"):
        machine.fail("mountpoint -q /home")
        machine.wait_for_unit("qubix-home.service")
        machine.succeed("journalctl -b -u qubix-home.service | grep -q 'no disk labelled qubix-home'")

    with subtest("label the second disk and reboot: /home is mounted from it"):
        machine.succeed("${pkgs.e2fsprogs}/bin/mkfs.ext4 -q -L qubix-home /dev/vdb")
        machine.shutdown()
        machine.start()
        machine.wait_for_unit("home.mount")
        machine.wait_for_unit("qubix-home.service")
        machine.succeed("mountpoint -q /home")
        machine.succeed("test \"$(stat -c %U /home/rdp)\" = rdp")

    with subtest("a file written to /home survives a reboot"):
        machine.succeed("echo kept > /home/rdp/marker && chown rdp /home/rdp/marker && sync")
        machine.shutdown()
        machine.start()
        machine.wait_for_unit("home.mount")
        machine.succeed("grep -qx kept /home/rdp/marker")
  '';
}
