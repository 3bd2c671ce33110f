# qubix.mode = "debug": SSH and the tools to look at sound, processes and the network.
{ config, lib, pkgs, ... }:
{
  config = lib.mkIf (config.qubix.mode == "debug") {
    # TCP 22 opens by itself: services.openssh.openFirewall defaults to true
    # (nixos/modules/services/networking/ssh/sshd.nix).
    services.openssh.enable = true;
    environment.systemPackages = with pkgs; [
      pavucontrol
      alsa-utils
      xterm
      htop
      strace
      curl
      openssh
    ];
  };
}
