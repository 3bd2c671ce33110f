# A systemd-nspawn container (the nspawn backend's `nixos-system` image): no kernel, boot
# loader, initrd or file systems of its own; systemd-nspawn boots the toplevel's `init` with
# the host's /nix/store bound read-only and the kept home folder bound at /home.
# boot.isContainer (nixos/modules/virtualisation/nixos-containers.nix) turns GRUB and the initrd
# off by their defaults (grub.nix, stage-1.nix) and applies container-config.nix.
#
# Network: the backend runs the container in a network namespace that slirp4netns has already
# configured (`--configure`: tap0 = 10.0.2.100/24, default route via 10.0.2.2, DNS at 10.0.2.3)
# before systemd-nspawn starts. So nothing in here configures an interface: DHCP would only
# race slirp4netns for the same address. DNS is slirp4netns's forwarder, not the host's
# resolv.conf: container-config.nix defaults useHostResolvConf to true, and a host resolver on
# 127.0.0.x is unreachable from the namespace (slirp4netns --disable-host-loopback).
# The firewall (profiles/security/minimal.nix) and egress.nix's nftables need CAP_NET_ADMIN in
# that namespace; the backend passes --capability=CAP_NET_ADMIN for nixos-system boots, since
# systemd-nspawn drops it with --network-namespace-path (qubix-nspawn NspawnArgs).
#
# The RDP password: systemd-nspawn --load-credential=qubix.rdp-password:<file> hands it to the
# container's systemd as a system credential, which rdp-password.nix's ImportCredential= picks up
# (systemd.exec(5)); no reader of its own, unlike fw_cfg (QEMU does that in systemd) or KVP.
{ config, lib, ... }:
let
  slirpDns = "10.0.2.3";
in
{
  boot.isContainer = true;

  networking.useDHCP = false;
  networking.useHostResolvConf = false;
  networking.nameservers = lib.mkDefault [ slirpDns ];

  assertions = [
    {
      # The address is slirp4netns's; qubix.network.static* describe a Hyper-V NAT switch.
      assertion = config.qubix.network.staticIp == null;
      message = "qubix.network.staticIp must be null in a container: slirp4netns gives it 10.0.2.100 (remove qubix.network.staticIp and qubix.network.gateway).";
    }
  ];
}
