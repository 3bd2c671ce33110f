# Small attack surface: firewall on (profiles open exactly what they serve), no root
# login, sudo only for wheel (only the console user, only in debug mode).
# Root's password stays locked by NixOS itself: users-groups.nix gives root
# `initialHashedPassword = mkDefault "!"`; a second password option here would only add the
# "multiple of the options" warning (and break root login in the NixOS test driver).
{ ... }:
{
  networking.firewall.enable = true;

  security.sudo.execWheelOnly = true; # nixos/modules/security/sudo.nix
  nix.settings.allowed-users = [ "@wheel" ];

  services.openssh.settings = {
    PermitRootLogin = "no";
    X11Forwarding = false;
  };
}
