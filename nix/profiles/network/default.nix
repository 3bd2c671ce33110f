# Network: one NIC, always eth0 (Hyper-V's netvsc and QEMU's virtio-net alike), DHCP
# unless qubix.network.staticIp is set; then the address, gateway and DNS come from
# qubix.network.* (lib/manifest.nix checks that they fit together).
{ config, lib, ... }:
let
  net = config.qubix.network;
  static = net.staticIp != null;
in
{
  networking.usePredictableInterfaceNames = false;

  networking.useDHCP = lib.mkDefault (!static);

  networking.interfaces.eth0 = lib.mkIf static {
    useDHCP = false;
    ipv4.addresses = [
      {
        address = net.staticIp;
        inherit (net) prefixLength;
      }
    ];
  };
  networking.defaultGateway = lib.mkIf static {
    address = net.gateway;
    interface = "eth0";
  };
  networking.nameservers = lib.mkIf static net.nameservers;

  assertions = [
    {
      assertion = !static || net.gateway != null;
      message = "qubix.network.gateway must be set when qubix.network.staticIp is set.";
    }
  ];

  # mDNS: the host finds the VM as <hostName>.local when it knows no address
  # (nixos/modules/services/networking/avahi-daemon.nix; nssmdns4 was nssmdns).
  services.avahi = {
    enable = true;
    nssmdns4 = true;
    openFirewall = true; # UDP 5353
    publish = {
      enable = true;
      addresses = true;
    };
  };
}
