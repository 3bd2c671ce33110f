# Spotify, the one unfree package allowed, started in every RDP session.
{ lib, pkgs, ... }:
{
  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "spotify" ];

  environment.systemPackages = [
    pkgs.spotify
    # XDG autostart entry from spotify's own .desktop file; xrdp enables xdg.autostart.
    (pkgs.makeAutostartItem {
      name = "spotify";
      package = pkgs.spotify;
    })
  ];
}
