# Typed stand-in for the NixOS options the Qubix machines and tests touch, for
# tests/check.sh: nixpkgs' real `lib.evalModules` runs the machine files against these
# declarations, so a misspelt option, a value of the wrong type, a conflicting definition or
# a failing assertion is an evaluation error here as it is with nixpkgs 25.11.
# Each group names the nixpkgs file its options come from (checked against 25.11-era
# sources; nix/OPTIONS.md lists them). Only types and the behaviour Qubix relies on are
# modelled; `system.build.toplevel` stands for the real one: it forces the assertions
# (nixos/modules/system/activation/top-level.nix) and is a string, not a derivation.
{ config, lib, pkgs, extendModules, ... }:
let
  inherit (lib) mkOption types;
  opt = type: default: mkOption { inherit type default; };
  optNoDefault = type: mkOption { inherit type; };
  bool = opt types.bool;
  str = opt types.str;
  nullStr = opt (types.nullOr types.str) null;
  strList = opt (types.listOf types.str) [ ];
  pkgList = opt (types.listOf types.package) [ ];

  # nixos/modules/config/users-groups.nix
  userModule =
    { name, ... }:
    {
      options = {
        name = str name;
        isNormalUser = bool false;
        isSystemUser = bool false;
        uid = opt (types.nullOr types.int) null;
        group = str "";
        description = str "";
        home = str "/var/empty";
        extraGroups = strList;
        hashedPassword = nullStr;
        hashedPasswordFile = nullStr;
        password = nullStr;
        initialPassword = nullStr;
        initialHashedPassword = nullStr;
      };
    };
  passwordOptions = [
    "hashedPassword"
    "hashedPasswordFile"
    "password"
    "initialPassword"
    "initialHashedPassword"
  ];

  # nixos/modules/tasks/filesystems.nix
  fsModule = {
    options = {
      device = nullStr;
      fsType = str "auto";
      options = strList;
      autoResize = bool false;
      neededForBoot = bool false;
    };
  };

  # nixos/modules/tasks/network-interfaces.nix
  addrModule = {
    options = {
      address = optNoDefault types.str;
      prefixLength = optNoDefault types.int;
    };
  };
  ifaceModule = {
    options = {
      useDHCP = opt (types.nullOr types.bool) null;
      ipv4.addresses = opt (types.listOf (types.submodule addrModule)) [ ];
    };
  };

  # nixos/lib/systemd-unit-options.nix (the fields Qubix sets)
  serviceModule = {
    options = {
      description = str "";
      wantedBy = strList;
      requiredBy = strList;
      after = strList;
      before = strList;
      wants = strList;
      requires = strList;
      path = opt (types.listOf (types.either types.package types.str)) [ ];
      serviceConfig = opt (types.attrsOf types.anything) { };
      unitConfig = opt (types.attrsOf types.anything) { };
      script = opt types.lines "";
      preStart = opt types.lines "";
    };
  };

  # nixos/modules/services/networking/nftables.nix
  tableModule =
    { name, ... }:
    {
      options = {
        enable = bool true;
        name = str name;
        family = optNoDefault (
          types.enum [
            "ip"
            "ip6"
            "inet"
            "arp"
            "bridge"
            "netdev"
          ]
        );
        content = optNoDefault types.lines;
      };
    };

  # nixos/modules/image/images.nix: the variants Qubix exports.
  imageModules = {
    hyperv = ./virtualisation/hyperv-image.nix;
    qemu = {
      imports = [ ./virtualisation/disk-image.nix ];
      image.efiSupport = false;
    };
  };

  failed = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  grub = config.boot.loader.grub;
in
{
  options = {
    # nixos/modules/misc/assertions.nix
    assertions = opt (types.listOf types.unspecified) [ ];
    warnings = opt (types.listOf types.str) [ ];

    # nixos/modules/misc/nixpkgs.nix
    nixpkgs = {
      hostPlatform = opt types.str "x86_64-linux";
      config = opt (types.attrsOf types.anything) { };
      overlays = opt (types.listOf types.unspecified) [ ];
    };

    # nixos/modules/system/activation/top-level.nix, nixos/modules/misc/version.nix
    system = {
      stateVersion = optNoDefault types.str;
      nixos.label = str "25.11";
      build = mkOption {
        type = types.submoduleWith {
          modules = [
            {
              freeformType = types.lazyAttrsOf (types.uniq types.unspecified);
              # nixos/modules/image/images.nix
              options.images = mkOption {
                type = types.lazyAttrsOf types.raw;
                readOnly = true;
              };
            }
          ];
        };
        default = { };
      };
    };

    # nixos/modules/config/i18n.nix, nixos/modules/config/locale.nix
    time.timeZone = nullStr;
    i18n.defaultLocale = str "en_US.UTF-8";

    # nixos/modules/config/nix-channel.nix, nixos/modules/config/nix.nix
    nix.channel.enable = bool true;
    nix.settings = opt (types.attrsOf types.anything) { };

    # nixos/modules/misc/documentation.nix
    documentation.enable = bool true;

    # nixos/modules/image/images.nix, nixos/modules/image/file-options.nix,
    # nixos/modules/virtualisation/disk-image.nix
    image = {
      modules = opt (types.attrsOf types.deferredModule) { };
      baseName = str "nixos-image-${config.system.nixos.label}";
      extension = optNoDefault types.str;
      fileName = str "${config.image.baseName}.${config.image.extension}";
      filePath = str config.image.fileName;
      format = opt (types.enum [
        "raw"
        "qcow2"
      ]) "qcow2";
      efiSupport = bool true;
    };

    virtualisation = {
      # nixos/modules/virtualisation/hyperv-guest.nix
      hypervGuest.enable = bool false;
      # nixos/modules/virtualisation/disk-size-option.nix
      diskSize = opt (types.either (types.enum [ "auto" ]) types.ints.positive) "auto";
      # nixos/modules/virtualisation/qemu-vm.nix (test nodes only)
      memorySize = opt types.ints.positive 1024;
      qemu.options = strList;
      emptyDiskImages = opt (types.listOf types.ints.positive) [ ];
      fileSystems = opt (types.attrsOf (types.submodule fsModule)) { };
      cores = opt types.ints.positive 1;
    };

    boot = {
      # nixos/modules/virtualisation/nixos-containers.nix
      isContainer = bool false;
      # nixos/modules/system/boot/kernel.nix
      kernelPackages = opt types.raw pkgs.linuxPackages;
      kernelParams = strList;
      initrd.availableKernelModules = strList;
      # nixos/modules/system/boot/loader/loader.nix, grub/grub.nix
      loader.timeout = opt (types.nullOr types.int) 5;
      loader.grub = {
        enable = bool (!config.boot.isContainer);
        device = nullStr;
        devices = strList;
        efiSupport = bool false;
        efiInstallAsRemovable = bool false;
      };
    };

    fileSystems = opt (types.attrsOf (types.submodule fsModule)) { };

    users.users = opt (types.attrsOf (types.submodule userModule)) { };

    networking = {
      # nixos/modules/tasks/network-interfaces.nix
      hostName = str "nixos";
      # nixos/lib/testing/network.nix (test nodes only)
      primaryIPAddress = str "";
      usePredictableInterfaceNames = bool true;
      useDHCP = bool true;
      interfaces = opt (types.attrsOf (types.submodule ifaceModule)) { };
      defaultGateway = opt (types.nullOr (
        types.submodule {
          options = {
            address = optNoDefault types.str;
            interface = nullStr;
          };
        }
      )) null;
      nameservers = strList;
      useHostResolvConf = bool false;
      # nixos/modules/services/networking/firewall.nix
      firewall = {
        enable = bool true;
        allowedTCPPorts = opt (types.listOf types.port) [ ];
        allowedUDPPorts = opt (types.listOf types.port) [ ];
      };
      # nixos/modules/services/networking/nftables.nix
      nftables = {
        enable = bool false;
        tables = opt (types.attrsOf (types.submodule tableModule)) { };
        preCheckRuleset = opt types.lines "";
      };
    };

    services = {
      # nixos/modules/services/networking/avahi-daemon.nix
      avahi = {
        enable = bool false;
        nssmdns4 = bool false;
        openFirewall = bool true;
        publish.enable = bool false;
        publish.addresses = bool false;
      };
      # nixos/modules/services/networking/xrdp.nix
      xrdp = {
        enable = bool false;
        port = opt types.port 3389;
        openFirewall = bool false;
        defaultWindowManager = str "xterm";
        audio.enable = bool false;
      };
      # nixos/modules/services/networking/ssh/sshd.nix
      openssh = {
        enable = bool false;
        openFirewall = bool true;
        settings = opt (types.attrsOf types.anything) { };
      };
      # nixos/modules/services/networking/dnsmasq.nix
      dnsmasq = {
        enable = bool false;
        resolveLocalQueries = bool true;
        settings = opt (types.attrsOf types.anything) { };
      };
      # nixos/modules/config/pulseaudio.nix, nixos/modules/services/desktops/pipewire/pipewire.nix
      pulseaudio.enable = bool false;
      pipewire.enable = bool false;
      # nixos/modules/services/x11/window-managers/openbox.nix
      xserver.windowManager.openbox.enable = bool false;
      # nixos/modules/services/web-servers/nginx/default.nix (egress test's internet node)
      nginx = {
        enable = bool false;
        virtualHosts = opt (types.attrsOf (types.attrsOf types.anything)) { };
      };
    };

    # nixos/modules/security/rtkit.nix, nixos/modules/security/sudo.nix
    security.rtkit.enable = bool false;
    security.sudo.execWheelOnly = bool false;

    # nixos/modules/config/system-path.nix
    environment.systemPackages = pkgList;

    systemd.services = opt (types.attrsOf (types.submodule serviceModule)) { };
  };

  config = {
    # users-groups.nix: root's password is locked unless set.
    users.users.root = {
      uid = 0;
      initialHashedPassword = lib.mkDefault "!";
    };

    # xrdp.nix, avahi-daemon.nix, sshd.nix: what openFirewall adds.
    networking.firewall.allowedTCPPorts =
      lib.optional (config.services.xrdp.enable && config.services.xrdp.openFirewall) config.services.xrdp.port
      ++ lib.optional (config.services.openssh.enable && config.services.openssh.openFirewall) 22;
    networking.firewall.allowedUDPPorts = lib.optional (
      config.services.avahi.enable && config.services.avahi.openFirewall
    ) 5353;
    # nixos/modules/virtualisation/container-config.nix (applied with boot.isContainer).
    networking.useHostResolvConf = lib.mkIf config.boot.isContainer (lib.mkDefault true);

    # dnsmasq.nix: resolveLocalQueries points the system resolver at dnsmasq.
    networking.nameservers = lib.mkIf (
      config.services.dnsmasq.enable && config.services.dnsmasq.resolveLocalQueries
    ) [ "127.0.0.1" ];

    warnings =
      # users-groups.nix: more than one password option on a user.
      lib.concatMap (
        u:
        lib.optional (
          builtins.length (builtins.filter (o: u.${o} != null) passwordOptions) > 1
        ) "The user '${u.name}' has multiple of the options `initialHashedPassword`, `hashedPassword`, `initialPassword`, `password` & `hashedPasswordFile` set to a non-null value."
      ) (builtins.attrValues config.users.users);

    assertions = [
      {
        # nixos/modules/system/boot/stage-1.nix, only with boot.initrd.enable, whose default
        # is !boot.isContainer: a container has no root file system of its own.
        assertion = config.boot.isContainer || config.fileSystems ? "/";
        message = "The ‘fileSystems’ option does not specify your root file system.";
      }
      {
        # nixos/modules/system/boot/loader/grub/grub.nix
        assertion = !grub.enable || grub.devices ++ lib.optional (grub.device != null) grub.device != [ ];
        message = "You must set the option ‘boot.loader.grub.devices’ or 'boot.loader.grub.mirroredBoots' to make the system bootable.";
      }
      {
        # nixos/modules/config/pulseaudio.nix with pipewire.nix
        assertion = !(config.services.pulseaudio.enable && config.services.pipewire.enable);
        message = "Using PipeWire as the sound server conflicts with PulseAudio.";
      }
    ];

    system.build.toplevel =
      if failed != [ ] then
        throw "\nFailed assertions:\n${lib.concatMapStrings (m: "- ${m}\n") failed}"
      else
        "toplevel of ${config.networking.hostName}";

    # images.nix: one extended configuration per variant, when the base has no image.
    image.modules = lib.mkIf (!config.system.build ? image) imageModules;
    system.build.images = lib.mkIf (!config.system.build ? image) (
      lib.mapAttrs (
        _: module:
        let
          c = (extendModules { modules = [ module ]; }).config;
        in
        lib.recursiveUpdate c.system.build.image {
          passthru = {
            config = c;
            inherit (c.image) filePath;
          };
        }
      ) config.image.modules
    );
  };
}
