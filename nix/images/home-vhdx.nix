# The blank home disk: ext4 labelled qubix.homeDisk.label (default qubix-home), as a
# dynamic VHDX of qubix.homeDisk.sizeMiB. Hyper-V attaches a copy of it once, as the
# home disk that survives recreate; the microvm backend converts it to qcow2 once.
# The file system's UUID and hash seed come from `name` (lib/uuid.nix).
{
  runCommand,
  e2fsprogs,
  python3,
  vmTools,
  name,
  label,
  sizeMiB,
}:
let
  uuid = import ../lib/uuid.nix;
  fileName = "${label}.vhdx";
in
runCommand name
  {
    nativeBuildInputs = [
      e2fsprogs
      # The qemu that make-disk-image already uses for the system images
      # (nixos/lib/make-disk-image.nix, pkgs.vmTools.qemu): no extra closure.
      vmTools.qemu
      # vhdx-fixed-ids.py (build time only; pkgs.python3, pkgs/top-level/all-packages.nix)
      python3
    ];
    passthru.filePath = fileName;
  }
  ''
    mkdir -p $out
    bash ${./.}/make-home-image.sh $out/${fileName} ${label} ${toString sizeMiB} \
      ${uuid "qubix-fs-uuid:${name}"} ${uuid "qubix-hash-seed:${name}"}
  ''
