# Stand-in for nixos/modules/virtualisation/qemu-vm.nix as the test framework adds it to
# every node (nixos/lib/testing/nodes.nix, baseQemuOS): the VM's file systems replace the
# machine's (`fileSystems = mkVMOverride cfg.fileSystems`, priority 10) and the boot
# loader is the VM's own.
{ config, lib, ... }:
{
  config = {
    virtualisation.fileSystems."/" = {
      device = "/dev/disk/by-label/nixos";
      fsType = "ext4";
    };
    fileSystems = lib.mkOverride 10 config.virtualisation.fileSystems;
    boot.loader.grub.device = lib.mkOverride 10 "nodev";
  };
}
