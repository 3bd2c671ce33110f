# Two users, on purpose: `user` owns the console (Hyper-V window, serial), `rdp` owns the
# xrdp session, so an RDP session never takes over or is taken over by the console.
# uids are pinned: the home disk outlives the system disk and its files keep their
# numeric owners, so the same name must always get the same uid.
{ config, lib, ... }:
let
  cfg = config.qubix;
  password = lib.optionalAttrs (cfg.labPassword != null) { initialPassword = cfg.labPassword; };
  # The console user's name: qubix.rdp.user may not take it.
  console = "user";
  clash = cfg.rdp.user == console;
in
{
  # Two separate definitions (not one attribute set with both names): with
  # qubix.rdp.user = "user" a single set would stop evaluation with "dynamic attribute
  # 'user' already defined" before the assertion below could name the option.
  users.users = lib.mkMerge [
    {
      ${console} = {
        isNormalUser = true;
        uid = 1000;
        description = "Console user";
        extraGroups = [
          "audio"
          "video"
        ]
        ++ lib.optional (cfg.mode == "debug") "wheel";
      }
      // password;
    }
    (lib.mkIf (!clash) {
      ${cfg.rdp.user} = {
        isNormalUser = true;
        uid = 1001;
        description = "RDP user";
        # Never wheel: the RDP password travels to every client that connects.
        extraGroups = [ "audio" ];
      }
      # The RDP port is reachable by others (every local user on a microvm host, the NAT
      # switch on Hyper-V): a public password only on explicit opt-in (the VM tests).
      // lib.optionalAttrs (cfg.rdp.passwordFrom == "lab") password;
    })
  ];

  assertions = [
    {
      assertion = !clash;
      message = "qubix.rdp.user must differ from the console user `${console}` (it is \"${cfg.rdp.user}\"): pick another name, e.g. \"rdp\".";
    }
    {
      assertion = clash || !(builtins.elem "wheel" config.users.users.${cfg.rdp.user}.extraGroups);
      message = "qubix.rdp.user (${cfg.rdp.user}) must not be in wheel.";
    }
  ];
}
