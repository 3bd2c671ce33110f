# The /home mount of the Qubix home disk, as a `fileSystems` entry. One definition for
# profiles/storage/persistent-home.nix and tests/home-persistence.nix (the NixOS test VM
# replaces `fileSystems` wholesale with `virtualisation.fileSystems`, qemu-vm.nix:
# `fileSystems = mkVMOverride cfg.fileSystems`, so the test has to hand the same entry in).
# Pure: builtins only.
label: {
  device = "/dev/disk/by-label/${label}";
  fsType = "ext4";
  # nofail: boot never waits for a missing home disk longer than the device timeout;
  # /home then lives on the disposable system disk and qubix-home.service says so.
  options = [
    "noatime"
    "nodev"
    "nosuid"
    "nofail"
    "x-systemd.device-timeout=15s"
  ];
}
