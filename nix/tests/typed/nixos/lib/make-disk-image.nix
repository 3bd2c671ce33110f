# Typed-evaluation stand-in for nixpkgs' nixos/lib/make-disk-image.nix (25.11): takes the
# arguments the real function takes that Qubix passes, refuses any other (as a Nix function
# with a fixed argument set does), and returns a fake derivation that records them, so
# tests/check.sh can see `copyChannel` and `diskSize` of every image.
{
  config,
  lib,
  pkgs,
  name ? "nixos-disk-image",
  baseName ? "nixos",
  format ? "raw",
  diskSize ? "auto",
  partitionTableType ? "legacy",
  postVM ? "",
  copyChannel ? true,
  additionalPaths ? [ ],
}:
{
  type = "derivation";
  inherit name;
  outPath = "/nix/store/00000000000000000000000000000000-${name}";
  drvPath = "/nix/store/00000000000000000000000000000000-${name}.drv";
  qubixStubArgs = {
    inherit
      baseName
      format
      diskSize
      partitionTableType
      copyChannel
      postVM
      ;
  };
}
