# NixOS VM test (checks.x86_64-linux.egress): with qubix.network.egress in allowlist mode
# the machine reaches an allowed domain (and its subdomains) on a second node acting as
# the internet, but not another domain that resolves fine, nor a bare address, nor a DNS
# server other than its own resolver.
#   nix build ./nix#checks.x86_64-linux.egress -L     (Nix >= 2.18, KVM)
# API: pkgs.testers.runNixOSTest (nixos/lib/testing/; testScript as a function of
# `nodes`, testScript.nix; networking.primaryIPAddress, network.nix). The internet node:
# services.nginx (nixos/modules/services/web-servers/nginx/default.nix: virtualHosts.<n>
# .default, .locations.<path>.return) and services.dnsmasq.settings.address
# (dnsmasq.nix; `address=/name/ip` also answers for subdomains).
{ pkgs, machine }:
let
  blockedIp = "192.168.1.101";
in
pkgs.testers.runNixOSTest {
  name = "egress";
  node.pkgsReadOnly = false;

  nodes.internet =
    { nodes, ... }:
    {
      networking.interfaces.eth1.ipv4.addresses = [
        {
          address = blockedIp;
          prefixLength = 24;
        }
      ];
      networking.firewall.allowedTCPPorts = [
        53
        80
      ];
      networking.firewall.allowedUDPPorts = [ 53 ];
      services.dnsmasq = {
        enable = true;
        resolveLocalQueries = false;
        settings = {
          no-resolv = true;
          address = [
            "/allowed.test/${nodes.internet.networking.primaryIPAddress}"
            "/blocked.test/${blockedIp}"
          ];
        };
      };
      services.nginx = {
        enable = true;
        virtualHosts.internet = {
          default = true;
          locations."/".return = "200 'qubix-egress-ok'";
        };
      };
    };

  nodes.machine =
    { lib, nodes, pkgs, ... }:
    {
      imports = [ machine ];
      virtualisation.memorySize = 2048;
      networking.useDHCP = lib.mkForce false;
      qubix.network.egress = {
        mode = lib.mkForce "allowlist";
        domains = [ "allowed.test" ];
      };
      # DHCP mode has no lease here: dnsmasq's upstream is the internet node.
      services.dnsmasq.settings = {
        server = [ nodes.internet.networking.primaryIPAddress ];
        no-resolv = true;
      };
      environment.systemPackages = [
        pkgs.curl
        pkgs.dnsutils
      ];
    };

  testScript =
    { nodes, ... }:
    let
      internetIp = nodes.internet.networking.primaryIPAddress;
    in
    ''
      start_all()
      internet.wait_for_unit("dnsmasq.service")
      internet.wait_for_unit("nginx.service")
      internet.wait_for_open_port(80)
      machine.wait_for_unit("nftables.service")
      machine.wait_for_unit("dnsmasq.service")

      with subtest("before any lookup, the internet node's address is closed"):
          machine.fail("curl -sf --max-time 5 http://${internetIp}/")

      with subtest("an allowed domain and its subdomain resolve and are reachable"):
          machine.succeed("curl -sf --max-time 10 http://allowed.test/ | grep -q qubix-egress-ok")
          machine.succeed("curl -sf --max-time 10 http://www.allowed.test/ | grep -q qubix-egress-ok")
          machine.succeed("nft list set inet qubix-egress allowed4 | grep -q ${internetIp}")

      with subtest("another domain resolves but is not reachable"):
          machine.succeed("getent hosts blocked.test | grep -q ${blockedIp}")
          machine.fail("curl -sf --max-time 5 http://blocked.test/")
          machine.fail("curl -sf --max-time 5 http://${blockedIp}/")

      with subtest("DNS goes only through the machine's own resolver"):
          machine.fail("dig +time=3 +tries=1 @${internetIp} allowed.test")
          machine.succeed("dig +time=3 +tries=1 @127.0.0.1 allowed.test | grep -q ${internetIp}")
    '';
}
