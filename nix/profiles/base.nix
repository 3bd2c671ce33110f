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
  image.modules.hyperv = {
    # Also set by virtualisation/hyperv-image.nix; stated here because Qubix depends on
    # it: hv_kvp_daemon reports the guest IP to the host (Get-VMNetworkAdapter).
    # (nixos/modules/virtualisation/hyperv-guest.nix)
    virtualisation.hypervGuest.enable = true;
    # GRUB is installed unsigned as the removable EFI loader, so the VM needs
    # Secure Boot off; the manifest says so (hyperv.secureBoot = false).
  };
  image.modules.qemu = {
    # virtio drivers in the initrd: the microvm backend attaches the system disk as the
    # first virtio disk (nixos/modules/profiles/qemu-guest.nix).
    imports = [ (modulesPath + "/profiles/qemu-guest.nix") ];
  };
}
