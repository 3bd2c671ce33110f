# Entry point of the typed evaluation (tests/check.sh):
#   nix-instantiate --eval --strict --json nix/tests/typed/eval.nix \
#     --arg nixpkgsLib 'import <nixpkgs lib>' -A <attribute>
# `flake` is nix/flake.nix's outputs with the stand-in nixpkgs; `machine` evaluates one
# machine file with extra modules (for the checks that feed it bad values).
{ nixpkgsLib }:
let
  lib = nixpkgsLib;
  nixpkgs = import ./nixpkgs.nix { inherit lib; };
  flakeOutputs = (import ../../flake.nix).outputs {
    self = flakeOutputs;
    inherit nixpkgs;
  };
  # As flake.nix exports a machine: extended with its Hyper-V image module.
  machine =
    file: extra:
    let
      base = nixpkgs.lib.nixosSystem {
        modules = [
          file
          extra
        ];
      };
    in
    (base.extendModules { modules = [ base.config.image.modules.hyperv ]; }).config;
in
{
  inherit lib flakeOutputs machine nixpkgs;
  spotibox = ../../machines/spotibox.nix;
  spotiboxContainer = ../../machines/spotibox-container.nix;
}
