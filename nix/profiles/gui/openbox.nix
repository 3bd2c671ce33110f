# Openbox: a window manager light enough for a 2-CPU VM; the session xrdp starts.
# No display manager and no services.xserver.enable: xrdp runs its own Xorg.
{ pkgs, ... }:
{
  # Adds pkgs.openbox (openbox-session) to the system packages
  # (nixos/modules/services/x11/window-managers/openbox.nix).
  services.xserver.windowManager.openbox.enable = true;

  environment.systemPackages = [ pkgs.xterm ];
}
