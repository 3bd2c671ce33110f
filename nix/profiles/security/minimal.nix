# Small attack surface: firewall on (profiles open exactly what they serve), no root
# login, sudo only for wheel (only the console user, only in debug mode).
{ lib, ... }:
{
  networking.firewall.enable = true;

  # Locked root password (users-groups.nix: "!" matches no password).
  users.users.root.hashedPassword = lib.mkDefault "!";

  security.sudo.execWheelOnly = true; # nixos/modules/security/sudo.nix
  nix.settings.allowed-users = [ "@wheel" ];

  services.openssh.settings = {
    PermitRootLogin = "no";
    X11Forwarding = false;
  };
}
