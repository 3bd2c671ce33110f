# Persistent /home: the one disk that survives recreate. Mounted by label so it does not
# matter on which controller slot the backend attaches it.
# Boot must not hang without it: `nofail` keeps the mount out of local-fs.target's
# requirements and the device timeout bounds the wait; /home then lives on the
# (disposable) system disk and a unit logs why.
{ config, lib, pkgs, ... }:
let
  cfg = config.qubix.homeDisk;
  device = "/dev/disk/by-label/${cfg.label}";
  homeUsers = [
    "user"
    config.qubix.rdp.user
  ];
in
{
  config = lib.mkIf cfg.enable {
    fileSystems."/home" = import ../../lib/home-mount.nix cfg.label;

    # A blank home disk (images/home-vhdx.nix) has no home directories, and NixOS creates
    # them during activation, before this mount: make them once the disk is mounted.
    systemd.services.qubix-home = {
      description = "Prepare home directories on the Qubix home disk";
      wantedBy = [ "multi-user.target" ];
      after = [ "home.mount" ];
      before = [
        "xrdp-sesman.service"
        "systemd-user-sessions.service"
      ];
      path = [ pkgs.util-linux pkgs.coreutils ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
      };
      script = ''
        if ! mountpoint -q /home; then
          echo "qubix: no disk labelled ${cfg.label} (${device}); /home is on the system disk and is lost on recreate" >&2
        fi
        ${lib.concatMapStrings (u: ''
          if [ ! -d /home/${u} ]; then
            install -d -m 0700 -o ${u} -g users /home/${u}
          fi
        '') homeUsers}
      '';
    };
  };
}
