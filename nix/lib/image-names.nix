# Flake output (package) names of a machine's images. Shared by flake.nix, which creates
# the outputs, and lib/manifest.nix, which tells Java which output to build: one naming
# rule, so the two cannot drift apart. Pure: builtins only.
machineName: config:
let
  imagePackage = ((config.qubix or { }).homeDisk or { }).imagePackage or null;
in
{
  hyperv = "${machineName}-vhdx";
  microvm = "${machineName}-qcow2";
  home = if imagePackage != null then imagePackage else "${machineName}-home-vhdx";
  # a container's NixOS system (config.system.build.toplevel), for the nspawn backend
  nspawn = "${machineName}-toplevel";
}
