# options.qubix.*: what the Qubix manifest (lib/manifest.nix) is computed from.
# Declarations only; profiles/ turn them into NixOS settings. Defaults live in
# lib/defaults.nix so that lib/manifest.nix (pure, no nixpkgs) uses the same ones.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  d = import ../lib/defaults.nix;
  # The same octet rule as lib/manifest.nix (0-255, no leading zeros), so `nix build` of an
  # image refuses 10.0.0.300 as the manifest does (lib.types.strMatching, lib/types.nix).
  ipv4 = types.strMatching (import ../lib/ipv4.nix).pattern;
in
{
  options.qubix = {
    mode = mkOption {
      type = types.enum [
        "prod"
        "debug"
      ];
      default = d.mode;
      description = ''
        `debug` adds SSH and diagnostic tools (profiles/modes/debug.nix) and puts the
        console user in `wheel`; `prod` has neither.
      '';
    };

    network = {
      staticIp = mkOption {
        type = types.nullOr ipv4;
        default = d.network.staticIp;
        example = "192.168.250.10";
        description = ''
          Static IPv4 address of eth0; `null` means DHCP (Hyper-V "Default Switch").
          With a static address, Qubix creates the NAT switch `<hostName>-nat` for the
          subnet of {option}`qubix.network.gateway`, which must then be set too.
        '';
      };
      prefixLength = mkOption {
        type = types.ints.between 1 30;
        default = d.network.prefixLength;
        description = "Prefix length of the static address's subnet.";
      };
      gateway = mkOption {
        type = types.nullOr ipv4;
        default = d.network.gateway;
        example = "192.168.250.1";
        description = "Default gateway in static mode (the host side of the NAT switch).";
      };
      nameservers = mkOption {
        type = types.listOf ipv4;
        default = d.network.nameservers;
        description = "DNS servers in static mode.";
      };
      egress = {
        mode = mkOption {
          type = types.enum [
            "open"
            "allowlist"
          ];
          default = d.network.egress.mode;
          description = ''
            `open`: the guest may connect anywhere. `allowlist`: outbound traffic is dropped
            except DNS through the guest's own resolver (dnsmasq) and connections to addresses
            that resolved from a name in {option}`qubix.network.egress.domains` or one of
            their subdomains (profiles/network/egress.nix). The manifest carries the mode.
          '';
        };
        domains = mkOption {
          type = types.listOf (types.strMatching "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
          default = d.network.egress.domains;
          example = [ "spotify.com" ];
          description = "Domains (with their subdomains) the guest may reach in allowlist mode.";
        };
      };
    };

    systemDisk.sizeMiB = mkOption {
      type = types.ints.between 2048 (1024 * 1024);
      default = d.systemDisk.sizeMiB;
      description = ''
        Size of the system disk image in MiB (virtualisation.diskSize of both image variants;
        hyperv-image.nix would otherwise fix it at 4096). It must hold the closure (budgeted
        in lib/budget.nix) with room for the journal and /tmp; the VHDX is dynamic, so the
        size costs host disk only as it fills.
      '';
    };

    homeDisk = {
      enable = mkOption {
        type = types.bool;
        default = d.homeDisk.enable;
        description = ''
          Mount a persistent `/home` from the disk labelled {option}`qubix.homeDisk.label`.
          The disk survives every recreate; boot does not wait for it when it is absent.
        '';
      };
      label = mkOption {
        type = types.strMatching "[A-Za-z0-9._-]{1,16}";
        default = d.homeDisk.label;
        description = "ext4 label of the home disk (at most 16 characters).";
      };
      sizeMiB = mkOption {
        type = types.ints.positive;
        default = d.homeDisk.sizeMiB;
        description = "Size of the blank home image in MiB (a dynamic VHDX: it grows as used).";
      };
      imagePackage = mkOption {
        type = types.nullOr types.str;
        default = d.homeDisk.imagePackage;
        example = "spotibox-home-vhdx";
        description = ''
          Flake package that builds this machine's blank home image; `null` means
          `<machine>-home-vhdx`. Machines that set the same name share one image.
        '';
      };
    };

    vm = {
      cpuCount = mkOption {
        type = types.ints.between 1 64;
        default = d.vm.cpuCount;
        description = "Virtual processors.";
      };
      memoryStartupBytes = mkOption {
        type = types.ints.positive;
        default = d.vm.memoryStartupBytes;
        description = "Startup memory in bytes (Hyper-V dynamic memory starts here).";
      };
      maxMemoryBytes = mkOption {
        type = types.ints.positive;
        default = d.vm.maxMemoryBytes;
        description = "Maximum memory in bytes.";
      };
    };

    rdp = {
      user = mkOption {
        type = types.str;
        default = d.rdp.user;
        description = "The user that logs in over RDP (xrdp); never in `wheel`.";
      };
      port = mkOption {
        type = types.port;
        default = d.rdp.port;
        description = "TCP port of xrdp.";
      };
      width = mkOption {
        type = types.ints.positive;
        default = d.rdp.width;
        description = "Desktop width the RDP client asks for.";
      };
      height = mkOption {
        type = types.ints.positive;
        default = d.rdp.height;
        description = "Desktop height the RDP client asks for.";
      };
      passwordFrom = mkOption {
        type = types.enum [
          "credential"
          "lab"
        ];
        default = d.rdp.passwordFrom;
        description = ''
          Where the RDP user's password comes from. `credential`: the per-VM secret the host
          passes as the systemd credential `qubix.rdp-password` (Qubix generates and keeps
          it; QEMU hands it over through fw_cfg, Hyper-V as a KVP item), set at every boot
          before xrdp starts; without one, RDP login is locked
          (profiles/remote/rdp-password.nix). `lab`: the
          public {option}`qubix.labPassword`, for the NixOS VM tests only.
        '';
      };
    };

    hyperv = {
      vmRoot = mkOption {
        type = types.str;
        default = d.hyperv.vmRoot;
        description = "Windows folder for VM files, base images and home disks.";
      };
      switchName = mkOption {
        type = types.nullOr types.str;
        default = d.hyperv.switchName;
        description = ''
          Hyper-V switch; `null` means "Default Switch" with DHCP and `<hostName>-nat`
          with a static address.
        '';
      };
      wslDistro = mkOption {
        type = types.str;
        default = d.hyperv.wslDistro;
        description = "WSL distribution that runs `nix build` on Windows.";
      };
    };

    labPassword = mkOption {
      type = types.nullOr types.str;
      default = d.labPassword;
      description = ''
        Initial password of the console user (and of the RDP user only with
        {option}`qubix.rdp.passwordFrom` = `"lab"`). **It is public**: it is
        in this repository and in the world-readable Nix store. Fine for a lab VM on a
        private NAT switch; otherwise set it to `null` and give
        `users.users.<name>.initialHashedPassword` (from `mkpasswd -m yescrypt`).
      '';
    };
  };
}
