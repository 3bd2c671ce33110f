# Kernel: nixpkgs' default (boot.kernelPackages defaults to pkgs.linuxPackages,
# nixos/modules/system/boot/kernel.nix, so it is not set here); console on both the screen
# and the first serial port, so the microvm backend's serial.log (QEMU) and Hyper-V's COM1 pipe show
# boot messages.
{ lib, ... }:
{
  # The last console= is /dev/console (systemd's output goes there).
  boot.kernelParams = [
    "console=tty0"
    "console=ttyS0,115200"
  ];
  # Boot menu only costs time on a VM that nobody watches.
  boot.loader.timeout = lib.mkDefault 1;
}
