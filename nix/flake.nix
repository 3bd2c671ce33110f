{
  description = "Qubix appliances (spotibox): NixOS images, home disk and the Qubix manifest";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
      inherit (nixpkgs) lib;
      pkgs = nixpkgs.legacyPackages.${system};

      # Machine name -> its module. Image outputs and manifest entries follow from here.
      machines = {
        spotibox = ./machines/spotibox.nix;
        spotibox-debug = ./machines/spotibox-debug.nix;
        # boot.isContainer: a NixOS system for the nspawn backend, no disk images
        spotibox-container = ./machines/spotibox-container.nix;
      };

      imageNames = import ./lib/image-names.nix;

      # The machines as written: no root file system and no boot loader of their own (the
      # image variants add those), so their toplevel does not evaluate; images come from here.
      baseSystems = builtins.mapAttrs (
        _: module:
        lib.nixosSystem {
          modules = [
            module
            { nixpkgs.hostPlatform = system; }
          ];
        }
      ) machines;

      configOf = name: baseSystems.${name}.config;
      namesOf = name: imageNames name (configOf name);
      isContainer = name: (configOf name).boot.isContainer;
      containerMachines = builtins.filter isContainer (builtins.attrNames machines);
      vmMachines = builtins.filter (n: !isContainer n) (builtins.attrNames machines);

      # What `nix flake check` and `nixos-rebuild --flake .#<m>` see: a VM as the
      # Hyper-V image runs it (its image.modules.hyperv, i.e. hyperv-image.nix plus
      # profiles/base.nix's additions, applied the way nixos/modules/image/images.nix does),
      # so fileSystems."/" and the GRUB device are those of the VHDX. A container is
      # complete as written (no root file system or boot loader to add).
      nixosConfigurations = builtins.mapAttrs (
        name: base:
        if isContainer name then base else base.extendModules { modules = [ base.config.image.modules.hyperv ]; }
      ) baseSystems;

      # The qemu variant: qcow2, BIOS GRUB on /dev/vda (nixos/modules/image/images.nix).
      systemImages = lib.foldl' (
        acc: name:
        acc
        // {
          ${(namesOf name).hyperv} = (configOf name).system.build.images.hyperv;
          ${(namesOf name).microvm} = (configOf name).system.build.images.qemu;
        }
      ) { } vmMachines;

      # The nspawn image of a container: its toplevel, booted through its `init`.
      containerImages = lib.foldl' (
        acc: name: acc // { ${(namesOf name).nspawn} = (configOf name).system.build.toplevel; }
      ) { } containerMachines;

      # One blank home image per distinct package name; machines sharing a name
      # (spotibox-debug uses spotibox's) must agree on label and size.
      # (A container's home is a folder the nspawn backend keeps: no image.)
      homeMachines = builtins.filter (n: (configOf n).qubix.homeDisk.enable) vmMachines;
      homeSpecs = lib.foldl' (
        acc: name:
        let
          pkgName = (namesOf name).home;
          spec = {
            inherit ((configOf name).qubix.homeDisk) label sizeMiB;
          };
        in
        if !(acc ? ${pkgName}) then
          acc // { ${pkgName} = spec; }
        else if acc.${pkgName} == spec then
          acc
        else
          throw "machine ${name}: qubix.homeDisk.imagePackage ${pkgName} is shared with a machine whose qubix.homeDisk.label/sizeMiB differ"
      ) { } homeMachines;
      homeImages = builtins.mapAttrs (
        pkgName: spec: pkgs.callPackage ./images/home-vhdx.nix ({ name = pkgName; } // spec)
      ) homeSpecs;

      manifest = import ./lib/manifest.nix {
        machines = builtins.mapAttrs (name: _: configOf name) machines;
        images = builtins.mapAttrs (
          name: _:
          let
            n = namesOf name;
          in
          if isContainer name then
            { }
          else
          {
            hyperv = systemImages.${n.hyperv}.passthru.filePath;
            microvm = systemImages.${n.microvm}.passthru.filePath;
            home = if homeImages ? ${n.home} then homeImages.${n.home}.passthru.filePath else null;
          }
        ) machines;
        # output paths without string context: naming them does not build the images
        storePaths = builtins.mapAttrs (
          name: _:
          let
            n = namesOf name;
            # "${drv}" is a derivation's outPath (the typed stub's toplevel is a plain string)
            out = drv: builtins.unsafeDiscardStringContext "${drv}";
          in
          if isContainer name then
            { nspawn = out containerImages.${n.nspawn}; }
          else
          {
            hyperv = out systemImages.${n.hyperv};
            microvm = out systemImages.${n.microvm};
            home = if homeImages ? ${n.home} then out homeImages.${n.home} else null;
          }
        ) machines;
      };

      # The output's store path is the JSON file itself.
      manifestJson = pkgs.writeText "qubix-manifest.json" (builtins.toJSON manifest);
    in
    {
      inherit nixosConfigurations;

      lib.qubixManifest = manifest;

      packages.${system} =
        systemImages
        // containerImages
        // homeImages
        // {
          qubix-manifest-json = manifestJson;
          default = systemImages.spotibox-vhdx;
        };

      # NixOS VM tests (need KVM) and the closure budget; `nix flake check` builds them.
      checks.${system} =
        builtins.mapAttrs
          (
            _: file:
            import file {
              inherit pkgs;
              machine = ./machines/spotibox.nix;
            }
          )
          {
            spotibox-basic = ./tests/spotibox-basic.nix;
            xrdp-session = ./tests/xrdp-session.nix;
            home-persistence = ./tests/home-persistence.nix;
            egress = ./tests/egress.nix;
          }
        // {
          closure-budget = import ./tests/closure-budget.nix {
            inherit pkgs;
            inherit (nixosConfigurations.spotibox.config.system.build) toplevel;
          };
          qubix-manifest-json = manifestJson;
        };
    };
}
