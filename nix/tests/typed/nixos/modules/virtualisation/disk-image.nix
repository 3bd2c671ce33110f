# Stand-in for nixos/modules/virtualisation/disk-image.nix (25.11) as the `qemu` variant
# uses it (image.efiSupport = false): BIOS GRUB on /dev/vda at mkDefault, root by label.
{ config, lib, pkgs, ... }:
{
  config = {
    image.extension = config.image.format;
    boot.loader.grub = {
      enable = lib.mkOptionDefault true;
      devices = lib.mkDefault [ "/dev/vda" ];
    };
    fileSystems = lib.mkOverride 60 {
      "/" = {
        device = "/dev/disk/by-label/nixos";
        fsType = "ext4";
      };
    };
    system.build.image = import ../../lib/make-disk-image.nix {
      inherit lib config pkgs;
      inherit (config.virtualisation) diskSize;
      inherit (config.image) baseName format;
      partitionTableType = "legacy";
    };
  };
}
