# qubix.mode = "debug": SSH and the tools to look at sound, processes and the network.
{ config, lib, pkgs, ... }:
{
  config = lib.mkIf (config.qubix.mode == "debug") {
    services.openssh = {
      enable = true;
      openFirewall = true; # TCP 22
    };
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
