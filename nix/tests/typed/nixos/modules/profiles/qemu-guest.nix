# Stand-in for nixos/modules/profiles/qemu-guest.nix: virtio modules in the initrd.
{ ... }:
{
  boot.initrd.availableKernelModules = [
    "virtio_pci"
    "virtio_blk"
  ];
}
