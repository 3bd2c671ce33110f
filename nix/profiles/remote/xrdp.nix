# xrdp on qubix.rdp.port, Openbox session, sound through PulseAudio (audio profile).
# Options: nixos/modules/services/networking/xrdp.nix.
{ config, pkgs, ... }:
let
  port = config.qubix.rdp.port;
in
{
  services.xrdp = {
    enable = true;
    inherit port;
    openFirewall = true; # adds services.xrdp.port to networking.firewall.allowedTCPPorts
    defaultWindowManager = "${pkgs.openbox}/bin/openbox-session";
  };

  # mstsc negotiates MP3 or Opus when xrdp offers them and then may play silence; an
  # xrdp without those encoders falls back to PCM, which every client plays. The module
  # runs ${pkgs.xrdp} (not services.xrdp.package), so the change must be an overlay.
  # Flags from pkgs/by-name/xr/xrdp/package.nix (configureFlags).
  nixpkgs.overlays = [
    (final: prev: {
      xrdp = prev.xrdp.overrideAttrs (old: {
        configureFlags = builtins.filter (
          f:
          !(builtins.elem f [
            "--enable-mp3lame"
            "--enable-opus"
          ])
        ) (old.configureFlags or [ ]);
      });
    })
  ];
}
