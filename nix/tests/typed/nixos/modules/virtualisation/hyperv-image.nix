# Stand-in for nixos/modules/virtualisation/hyperv-image.nix (25.11): the settings of the
# real module that Qubix depends on or overrides, at the real priorities.
{ config, lib, pkgs, ... }:
{
  options.hyperv.vmDerivationName = lib.mkOption {
    type = lib.types.str;
    default = "nixos-hyperv-${config.system.nixos.label}-x86_64-linux";
  };
  config = {
    virtualisation.diskSize = lib.mkOverride 1490 (4 * 1024);
    image.extension = "vhdx";
    system.build.image = config.system.build.hypervImage;
    system.build.hypervImage = import ../../lib/make-disk-image.nix {
      name = config.hyperv.vmDerivationName;
      inherit (config.image) baseName;
      format = "raw";
      inherit (config.virtualisation) diskSize;
      partitionTableType = "efi";
      inherit config lib pkgs;
    };
    fileSystems."/" = {
      device = "/dev/disk/by-label/nixos";
      fsType = "ext4";
    };
    fileSystems."/boot" = {
      device = "/dev/disk/by-label/ESP";
      fsType = "vfat";
    };
    boot.loader.grub = {
      device = "nodev";
      efiSupport = true;
      efiInstallAsRemovable = true;
    };
    virtualisation.hypervGuest.enable = true;
  };
}
