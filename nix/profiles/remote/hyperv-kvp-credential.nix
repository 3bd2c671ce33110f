# On Hyper-V, the VM's RDP secret comes as a host-to-guest KVP item: Qubix's recreate.ps1 and
# power.ps1 put `qubix.rdp-password` into the VM's configuration (Msvm_KvpExchangeDataItem, Source 0,
# through Msvm_VirtualSystemManagementService.AddKvpItems/ModifyKvpItems) before the VM starts, and
# hv_kvp_daemon writes the host's items to pool 0, /var/lib/hyperv/.kvp_pool_0 (learn.microsoft.com,
# "Data Exchange: Using key-value pairs to share information between the host and guest on Hyper-V":
# pool 0 is "Virtual Machine\External", data pushed from the host; KVP_POOL_EXTERNAL = 0 in
# include/uapi/linux/hyperv.h). This module turns it into the systemd credential `qubix.rdp-password`
# in /run/credstore (tmpfs: nothing on disk), where ImportCredential= of qubix-rdp-password.service
# (rdp-password.nix) finds it (systemd.exec(5): ImportCredential= also searches /etc/credstore/ and
# /run/credstore/). So `qubix.rdp.passwordFrom = "credential"` works the same on QEMU and Hyper-V.
# Options: nixos/lib/systemd-unit-options.nix; unit hv-kvp.service comes from
# pkgs/os-specific/linux/hyperv-daemons (WantedBy=hyperv-daemons.target, which
# virtualisation.hypervGuest.enable wants), nixos/modules/virtualisation/hyperv-guest.nix.
{ config, lib, pkgs, ... }:
let
  cfg = config.qubix.rdp;
  credential = "qubix.rdp-password";
  pool = "/var/lib/hyperv/.kvp_pool_0";
in
lib.mkIf (cfg.passwordFrom == "credential" && config.virtualisation.hypervGuest.enable) {
  # The daemon keeps its pools on disk and reloads them at start: without this, the item of the
  # last boot (a secret rotated since) could be read before the host sends the current one.
  # /var/lib/hyperv is created 0755 and the pools 0644 by hv_kvp_daemon: 0700 keeps the secret
  # from the guest's other users.
  systemd.services.qubix-kvp-pool-reset = {
    description = "Drop the host's KVP items of the last boot and keep the pools root's";
    wantedBy = [ "hv-kvp.service" ];
    before = [ "hv-kvp.service" ];
    path = [ pkgs.coreutils ];
    serviceConfig.Type = "oneshot";
    script = ''
      mkdir -p /var/lib/hyperv
      chmod 0700 /var/lib/hyperv
      rm -f ${pool}
    '';
  };

  systemd.services.qubix-kvp-credential = {
    description = "Pass the VM's RDP secret from Hyper-V KVP to systemd as the credential ${credential}";
    wantedBy = [
      "multi-user.target"
      "qubix-rdp-password.service"
    ];
    wants = [ "hv-kvp.service" ];
    after = [ "hv-kvp.service" ];
    before = [ "qubix-rdp-password.service" ];
    path = [ pkgs.coreutils ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
    };
    # Never fails: without the item, qubix-rdp-password.service finds no credential, locks RDP
    # login and says why.
    script = ''
      . ${./kvp-credential.sh}
      if qubix_kvp_credential ${pool} ${credential} /run/credstore/${credential} 90; then
        echo "the credential ${credential} came from the host (KVP pool 0)"
      else
        echo "no KVP item ${credential} from the host within 90 s: RDP login stays locked" >&2
      fi
    '';
  };
}
