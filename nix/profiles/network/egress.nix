# qubix.network.egress: with mode = "allowlist" the guest reaches only the domains listed
# (and their subdomains). dnsmasq is the guest's resolver; each answer for an allowed name
# adds its addresses to an nftables set (dnsmasq's nftset, built in: pkgs/by-name/dn/dnsmasq
# has -DHAVE_NFTSET on Linux), and an nftables output chain (policy drop) refuses everything
# else, with a reject so that programs fail at once instead of waiting for a timeout.
# What still leaves the guest in allowlist mode: replies on connections the host opened
# (RDP), DHCP, mDNS (Avahi), ICMP errors and IPv6 neighbour discovery, dnsmasq's own
# upstream DNS queries (by its uid), and TCP/UDP to the set's addresses.
# Options: services.dnsmasq.{enable,resolveLocalQueries,settings}
# (nixos/modules/services/networking/dnsmasq.nix: settings is freeform key=value, a list
# gives the key once per element), networking.nftables.{enable,tables,preCheckRuleset}
# (nixos/modules/services/networking/nftables.nix).
{ config, lib, ... }:
let
  egress = config.qubix.network.egress;
  net = config.qubix.network;
  table = "qubix-egress";
  # Address-set entries expire, so an address that stopped resolving from an allowed
  # name stops being reachable; dnsmasq re-adds it on every answer.
  timeout = "1h";
in
{
  config = lib.mkIf (egress.mode == "allowlist") {
    assertions = [
      {
        assertion = egress.domains != [ ];
        message = "qubix.network.egress.mode = \"allowlist\" needs at least one domain in qubix.network.egress.domains.";
      }
    ];

    services.dnsmasq = {
      enable = true;
      # 127.0.0.1 becomes the system resolver (networking.nameservers).
      resolveLocalQueries = true;
      settings = {
        listen-address = [ "127.0.0.1" ];
        bind-interfaces = true;
        # Static mode: the configured DNS servers. DHCP mode: dnsmasq reads the servers
        # the lease brought (resolvconf writes them to /etc/dnsmasq-resolv.conf).
        server = lib.mkIf (net.staticIp != null) net.nameservers;
        no-resolv = lib.mkIf (net.staticIp != null) true;
        nftset = map (d: "/${d}/4#inet#${table}#allowed4,6#inet#${table}#allowed6") egress.domains;
      };
    };
    # The static nameservers go to dnsmasq, not to /etc/resolv.conf.
    networking.nameservers = lib.mkIf (net.staticIp != null) (lib.mkForce [ "127.0.0.1" ]);

    networking.nftables = {
      enable = true;
      tables.${table} = {
        family = "inet";
        content = ''
          set allowed4 {
            type ipv4_addr
            flags timeout
            timeout ${timeout}
          }
          set allowed6 {
            type ipv6_addr
            flags timeout
            timeout ${timeout}
          }
          chain output {
            type filter hook output priority filter; policy drop;
            oifname "lo" accept
            ct state established,related accept
            # dnsmasq's own queries to its upstream servers
            meta skuid "dnsmasq" udp dport 53 accept
            meta skuid "dnsmasq" tcp dport 53 accept
            # DHCP, mDNS (Avahi), ICMP, IPv6 neighbour discovery
            udp sport 68 udp dport 67 accept
            udp sport 546 udp dport 547 accept
            ip daddr 224.0.0.251 udp dport 5353 accept
            ip6 daddr ff02::fb udp dport 5353 accept
            meta l4proto { icmp, ipv6-icmp } accept
            ip daddr @allowed4 meta l4proto { tcp, udp } accept
            ip6 daddr @allowed6 meta l4proto { tcp, udp } accept
            counter reject
          }
        '';
      };
      # `nft --check` runs in the build sandbox, which has no user dnsmasq
      # (nftables.nix: preCheckRuleset exists for exactly this).
      preCheckRuleset = ''
        sed 's/skuid "dnsmasq"/skuid "nobody"/g' -i ruleset.conf
      '';
    };
  };
}
