# The RDP user's password comes from the host, per VM, at every boot: Qubix generates it,
# keeps it in the host's credential store and hands it to the guest as the systemd
# credential `qubix.rdp-password` (QEMU: fw_cfg `opt/io.systemd.credentials/qubix.rdp-password`;
# Hyper-V: a KVP item that hyperv-kvp-credential.nix copies to /run/credstore).
# Nothing about it is in the image or the world-readable Nix store. Without a credential,
# RDP login is locked and the journal says why. `qubix.rdp.passwordFrom = "lab"` keeps the
# public lab password instead (the NixOS VM tests' opt-in; profiles/users.nix).
# Options: nixos/modules/config/users-groups.nix (initialHashedPassword; "!" is a locked
# hash), nixos/lib/systemd-unit-options.nix (wantedBy, before, path, serviceConfig, script),
# nixos/modules/services/networking/xrdp.nix (units xrdp.service and xrdp-sesman.service).
# systemd.exec(5): ImportCredential= imports a system credential (fw_cfg/SMBIOS, systemd
# >= 254; nixos-25.11 ships 258) into $CREDENTIALS_DIRECTORY, readable by this unit only.
{ config, lib, pkgs, ... }:
let
  cfg = config.qubix.rdp;
  credential = "qubix.rdp-password";
in
lib.mkIf (cfg.passwordFrom == "credential") {
  # Locked until the service below sets the password; never an empty hash, which xrdp's
  # PAM stack (allowNullPassword) would accept.
  users.users.${cfg.user}.initialHashedPassword = "!";

  systemd.services.qubix-rdp-password = {
    description = "Set the RDP user's password from the VM's credential ${credential}";
    wantedBy = [ "multi-user.target" ];
    before = [
      "xrdp.service"
      "xrdp-sesman.service"
    ];
    requiredBy = [ "xrdp-sesman.service" ];
    path = [ pkgs.shadow ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      ImportCredential = credential;
    };
    # chpasswd reads "user:password" on stdin: the password is in no argument and no
    # environment variable. usermod -p '!' replaces the hash (passwd -l would keep the old
    # one behind a "!", and unlocking would bring it back).
    script = ''
      file="''${CREDENTIALS_DIRECTORY:-/nonexistent}/${credential}"
      if [ -s "$file" ]; then
        { printf '%s:' ${lib.escapeShellArg cfg.user}; head -n 1 "$file"; echo; } | chpasswd
        echo "password of ${cfg.user} set from the credential ${credential}"
      else
        usermod -p '!' ${lib.escapeShellArg cfg.user}
        echo "no credential ${credential} (the host passes it: QEMU fw_cfg, Hyper-V KVP, nspawn --load-credential): RDP login of ${cfg.user} is locked" >&2
      fi
    '';
  };
}
