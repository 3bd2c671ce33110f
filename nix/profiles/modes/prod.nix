# qubix.mode = "prod": no SSH at all; RDP is the only way in.
{ config, lib, ... }:
{
  config = lib.mkIf (config.qubix.mode == "prod") {
    services.openssh.enable = lib.mkForce false;
  };
}
