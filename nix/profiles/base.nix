# Common ground of every Qubix appliance: release, locale, the image variants the flake
# exports, and nothing that a user of the appliance would see.
{ lib, modulesPath, ... }:
{
  imports = [ ../modules/qubix.nix ];

  system.stateVersion = "25.11";

  time.timeZone = lib.mkDefault "UTC";
  i18n.defaultLocale = lib.mkDefault "en_US.UTF-8";

  # The system disk is thrown away on every recreate: no channel, no docs, small image.
  nix.channel.enable = false; # nixos/modules/config/nix-channel.nix
  documentation.enable = lib.mkDefault false;
  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  # Image variants (nixos/modules/image/images.nix): the flake exports
  # system.build.images.hyperv (dynamic VHDX, GPT + EFI) and .qemu (qcow2, BIOS GRUB on
  # /dev/vda). Variant-only settings stay in image.modules.<variant>; the base config must
  # not import an image module itself, or system.build.images is not defined.
  image.modules.hyperv =
    { config, pkgs, ... }:
    {
      # Also set by virtualisation/hyperv-image.nix; stated here because Qubix depends on
      # it: hv_kvp_daemon reports the guest IP to the host (Get-VMNetworkAdapter).
      # (nixos/modules/virtualisation/hyperv-guest.nix)
      virtualisation.hypervGuest.enable = true;
      # The RDP password comes from the host like on QEMU (qubix.rdp.passwordFrom =
      # "credential", the default): here as a KVP item, see remote/hyperv-kvp-credential.nix.
      # GRUB is installed unsigned as the removable EFI loader, so the VM needs
      # Secure Boot off; the manifest says so (hyperv.secureBoot = false).

      # hyperv-image.nix fixes 4096 MiB at priority 1490; a plain definition wins.
      virtualisation.diskSize = config.qubix.systemDisk.sizeMiB;

      # hyperv-image.nix's own builder, called again with copyChannel = false: the
      # argument is not exposed as an option, and the default (true) puts a whole nixpkgs
      # source tree into the image and into every cold manifest evaluation. Same arguments
      # as the module passes (nixos/modules/virtualisation/hyperv-image.nix, 25.11;
      # nixos/lib/make-disk-image.nix for copyChannel).
      system.build.hypervImage = lib.mkForce (
        import (modulesPath + "/../lib/make-disk-image.nix") {
          name = config.hyperv.vmDerivationName;
          inherit (config.image) baseName;
          postVM = ''
            ${pkgs.vmTools.qemu}/bin/qemu-img convert -f raw -o subformat=dynamic -O vhdx $diskImage $out/${config.image.fileName}
            rm $diskImage
          '';
          format = "raw";
          inherit (config.virtualisation) diskSize;
          partitionTableType = "efi";
          copyChannel = false;
          inherit config lib pkgs;
        }
      );
    };
  image.modules.qemu =
    { config, pkgs, ... }:
    {
      # virtio drivers in the initrd: the microvm backend attaches the system disk as the
      # first virtio disk (nixos/modules/profiles/qemu-guest.nix).
      imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];

      virtualisation.diskSize = config.qubix.systemDisk.sizeMiB;

      # virtualisation/disk-image.nix's builder with copyChannel = false (see hyperv above);
      # the `qemu` variant has image.efiSupport = false, hence "legacy".
      system.build.image = lib.mkForce (
        import (modulesPath + "/../lib/make-disk-image.nix") {
          inherit config lib pkgs;
          inherit (config.virtualisation) diskSize;
          inherit (config.image) baseName format;
          partitionTableType = "legacy";
          copyChannel = false;
        }
      );
    };
}
