# A stand-in for the flake input `nixpkgs` (nixos-25.11), for tests/check.sh: nixpkgs'
# real `lib` (QUBIX_NIXPKGS_LIB, the nixpkgs.lib mirror), `lib.nixosSystem` running
# `lib.evalModules` over the typed stub of NixOS options (nixos/modules/options.nix here),
# and a `legacyPackages` whose packages are fake derivations that record their name.
# Interfaces followed: flake.nix in nixpkgs (lib.nixosSystem = eval-config.nix, returning
# config/options/extendModules), pkgs/build-support/trivial-builders (runCommand,
# writeText), pkgs/build-support/closure-info.nix, nixos/lib/testing (runNixOSTest).
{ lib }:
let
  modulesPath = ./nixos/modules;

  fake =
    name:
    {
      type = "derivation";
      inherit name;
      pname = name;
      outPath = "/nix/store/00000000000000000000000000000000-${name}";
      drvPath = "/nix/store/00000000000000000000000000000000-${name}.drv";
      overrideAttrs = _: fake name;
    };

  packageNames = [
    "spotify"
    "openbox"
    "xterm"
    "linuxPackages"
    "util-linux"
    "coreutils"
    "e2fsprogs"
    "pavucontrol"
    "alsa-utils"
    "htop"
    "strace"
    "curl"
    "openssh"
    "dnsmasq"
    "nftables"
    "freerdp"
    "xrdp"
    "dnsutils"
    "xvfb-run"
    "shadow"
  ];

  pkgs =
    lib.genAttrs packageNames fake
    // {
      inherit lib;
      vmTools.qemu = fake "qemu";
      makeAutostartItem = { name, package, ... }: fake "autostart-${name}";
      writeText = name: text: fake name // { inherit text; };
      runCommand = name: env: script: fake name // env // { qubixScript = script; };
      callPackage =
        f: args:
        let
          fn = if builtins.isPath f then import f else f;
        in
        fn ((builtins.intersectAttrs (builtins.functionArgs fn) pkgs) // args);
      closureInfo = { rootPaths }: fake "closure-info" // { inherit rootPaths; };
      testers.runNixOSTest = runNixOSTest;
    };

  nixosSystem =
    { modules, specialArgs ? { } }:
    lib.evalModules {
      specialArgs = { inherit modulesPath; } // specialArgs;
      modules = modules ++ [
        ./nixos/modules/options.nix
        { _module.args.pkgs = pkgs; }
      ];
    };

  # nixos/lib/testing/*.nix (25.11): the test module's options that Qubix's tests use.
  # Nodes are evaluated as NixOS configurations (with `nodes` in their arguments, as
  # nixos/lib/testing/nodes.nix passes it); an unknown top-level attribute is an error,
  # as it is for the real (typed) test module.
  runNixOSTest =
    test:
    let
      allowed = [
        "name"
        "nodes"
        "testScript"
        "node"
        "defaults"
        "skipLint"
        "skipTypeCheck"
        "meta"
        "interactive"
      ];
      unknown = builtins.filter (k: !(builtins.elem k allowed)) (builtins.attrNames test);
      # network.nix numbers the nodes in name order: 192.168.1.<n>.
      names = builtins.attrNames test.nodes;
      number = name: toString (1 + lib.lists.findFirstIndex (n: n == name) 0 names);
      nodes = builtins.mapAttrs (
        name: m:
        (nixosSystem {
          modules = [
            m
            (test.defaults or { })
            ./nixos/modules/virtualisation/qemu-vm.nix
            {
              _module.args.nodes = nodes;
              networking.primaryIPAddress = "192.168.1.${number name}";
            }
          ];
        }).config
      ) test.nodes;
      script = if builtins.isFunction test.testScript then test.testScript { inherit nodes; } else test.testScript;
    in
    if unknown != [ ] then
      throw "runNixOSTest: unknown attributes ${toString unknown}"
    else if !(builtins.isString test.name) || !(builtins.isString script) then
      throw "runNixOSTest: name and testScript must be strings"
    else
      fake "vm-test-run-${test.name}"
      // {
        qubixTest = {
          inherit (test) name;
          inherit script;
          nodes = builtins.mapAttrs (_: c: c.system.build.toplevel) nodes;
          nodeConfigs = nodes;
          warnings = lib.concatMap (c: c.warnings) (builtins.attrValues nodes);
          node = test.node or { };
        };
      };
in
{
  lib = lib // {
    inherit nixosSystem;
  };
  legacyPackages.x86_64-linux = pkgs;
  outPath = "/nix/store/00000000000000000000000000000000-nixpkgs-stub";
}
