#!/usr/bin/env bash
# Build the Qubix tiny test guest from Debian packages and write an
# input-free flake exposing it into OUTDIR.  See README.md.
#
#   make-tiny-flake.sh OUTDIR
#
# Env: QUBIX_TINY_CACHE   cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/qubix/tiny-guest)
#      QUBIX_TINY_DISK=0  skip the tiny-disk (qcow2) variant
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${QUBIX_TINY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qubix/tiny-guest}
DEBS=$CACHE/debs
KERNEL_PARAMS="console=ttyS0 panic=-1 quiet"
WANT_DISK=${QUBIX_TINY_DISK:-1}

# Modules wanted in the initramfs; dependencies are added automatically.
WANTED_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
  failover net_failover virtio_net virtio_blk ext4 button evdev
  fat vfat nls_cp437 nls_ascii nls_utf8 qemu_fw_cfg"

log() { echo "make-tiny-flake: $*" >&2; }
mkdir -p "$DEBS" "$OUT"

# --- resolve the concrete cloud kernel package -----------------------------
lists_refreshed=0
refresh_lists() {
  [ $lists_refreshed = 1 ] && return 1
  log "apt lists missing or stale; running apt-get update"
  apt-get update -qq >&2 || true
  lists_refreshed=1
}
resolve_kernel_pkg() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }'
}
# apt-cache takes ~0.6 s, so remember the answer for as long as the apt lists
# stay unchanged.
LISTS_STAMP=$(stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null | sha256sum | cut -c1-16)
KPKG=$(cat "$CACHE/kernel-pkg.$LISTS_STAMP" 2>/dev/null || true)
[ -n "$KPKG" ] || KPKG=$(resolve_kernel_pkg || true)
if [ -z "$KPKG" ]; then refresh_lists || true; KPKG=$(resolve_kernel_pkg || true); fi
[ -n "$KPKG" ] || { log "cannot resolve linux-image-cloud-amd64"; exit 1; }
KVER=${KPKG#linux-image-}
if [ ! -e "$CACHE/kernel-pkg.$LISTS_STAMP" ]; then
  rm -f "$CACHE"/kernel-pkg.*
  LISTS_STAMP=$(stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null | sha256sum | cut -c1-16)
  echo "$KPKG" >"$CACHE/kernel-pkg.$LISTS_STAMP"
fi

# deb_for PKG -> path of the cached .deb, downloading it if needed.
deb_for() {
  local pkg=$1 f
  f=$(ls "$DEBS/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$f" ]; then
    if ! (cd "$DEBS" && apt-get download -qq "$pkg" >&2 2>/dev/null); then
      refresh_lists || true
      (cd "$DEBS" && apt-get download -qq "$pkg" >&2)
    fi
    f=$(ls "$DEBS/${pkg}"_*.deb | head -n1)
  fi
  echo "$f"
}

HASH=$(cat "$HERE/init.sh" "$HERE/answer.sh" "$HERE/make-tiny-flake.sh" | sha256sum | cut -c1-16)
BUILD=$CACHE/build/$KVER-$HASH

build_direct() {
  local tmp=$1 x=$1/x root=$1/root
  mkdir -p "$x" "$root"
  log "extracting $KPKG and busybox-static"
  dpkg -x "$(deb_for "$KPKG")" "$x"
  dpkg -x "$(deb_for busybox-static)" "$x"
  local moddir=$x/lib/modules/$KVER bb=$x/bin/busybox
  cp "$x/boot/vmlinuz-$KVER" "$tmp/kernel"
  # the flake's builder too: Nix's sandbox has no /bin/sh, only what the store holds
  cp "$bb" "$tmp/busybox"

  # Module dependency resolution from each module's .modinfo "depends=".
  declare -A seen=()
  local order=()
  modfile() { find "$moddir/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" | head -n1; }
  builtin() { grep -q "/$1\.ko\$" "$moddir/modules.builtin"; }
  visit() {
    local m=${1//-/_} f deps d
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    f=$(modfile "$m"); [ -n "$f" ] || f=$(modfile "${1//_/-}")
    if [ -z "$f" ]; then
      builtin "$m" || builtin "${1//_/-}" || log "warning: module $m neither built in nor found"
      return 0
    fi
    mkdir -p "$root/lib/modules"
    local dst=$root/lib/modules/$(basename "${f%.ko*}").ko
    case $f in
      *.ko.xz) xz -dc "$f" >"$dst" ;;
      *.ko.zst) zstd -qdc "$f" >"$dst" ;;
      *.ko.gz) gzip -dc "$f" >"$dst" ;;
      *) cp "$f" "$dst" ;;
    esac
    deps=$(tr '\0' '\n' <"$dst" | sed -n 's/^depends=//p' | head -n1)
    for d in ${deps//,/ }; do visit "$d"; done
    order+=("$(basename "${f%.ko*}")")
  }
  for m in $WANTED_MODULES; do visit "$m"; done
  mkdir -p "$root/lib/modules"
  printf '%s\n' "${order[@]}" >"$root/lib/modules/load.order"

  # Busybox root.
  mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,home,etc,usr/bin,usr/sbin}
  cp "$bb" "$root/bin/busybox"
  local a
  for a in $("$bb" --list-full); do
    [ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
  done
  install -m 0755 "$HERE/init.sh" "$root/init"
  install -m 0755 "$HERE/answer.sh" "$root/bin/answer"
  if [ "$(id -u)" = 0 ]; then mknod -m 600 "$root/dev/console" c 5 1; fi
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$bb" cpio -o -H newc 2>/dev/null) | gzip -9n >"$tmp/initrd"
  printf '%s\n' "${order[@]}" >"$tmp/modules"
}

# tiny-disk: a FAT "superfloppy" with SYSLINUX, which SeaBIOS boots directly.
build_disk() {
  local tmp=$1 x=$1/xd img=$1/tiny.raw
  mkdir -p "$x"
  log "building tiny-disk image (syslinux + mtools + dosfstools)"
  local p
  for p in syslinux mtools dosfstools; do dpkg -x "$(deb_for "$p")" "$x"; done
  local PATHX=$x/usr/bin:$x/sbin:$x/usr/sbin:$PATH
  local sz=$(( ($(stat -c %s "$tmp/kernel") + $(stat -c %s "$tmp/initrd")) / 1048576 + 8 ))
  truncate -s "${sz}M" "$img"
  PATH=$PATHX mkfs.fat -F 16 -n QUBIXSYS "$img" >/dev/null
  cat >"$tmp/syslinux.cfg" <<EOF
DEFAULT qubix
TIMEOUT 0
PROMPT 0
LABEL qubix
  KERNEL /kernel
  INITRD /initrd
  APPEND $KERNEL_PARAMS
EOF
  echo 0 >"$tmp/marker.txt"
  PATH=$PATHX MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$tmp/kernel" "$tmp/initrd" "$tmp/syslinux.cfg" "$tmp/marker.txt" ::/
  PATH=$PATHX MTOOLS_SKIP_CHECK=1 syslinux --install "$img"
  qemu-img convert -q -f raw -O qcow2 "$img" "$tmp/tiny.qcow2"
  rm -f "$img"
}

if [ ! -s "$BUILD/initrd" ] || [ ! -x "$BUILD/busybox" ] || { [ "$WANT_DISK" = 1 ] && [ ! -e "$BUILD/tiny.qcow2" ] && [ ! -e "$BUILD/no-disk" ]; }; then
  mkdir -p "$CACHE/build"
  TMP=$(mktemp -d "$CACHE/build/.tmp.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  if [ -s "$BUILD/initrd" ] && [ -x "$BUILD/busybox" ]; then cp "$BUILD/kernel" "$BUILD/initrd" "$BUILD/modules" "$BUILD/busybox" "$TMP/"; else build_direct "$TMP"; fi
  if [ "$WANT_DISK" = 1 ]; then
    set +e; (set -e; build_disk "$TMP"); rc=$?; set -e
    if [ $rc != 0 ]; then log "warning: tiny-disk image failed; flake will lack tiny-qcow2"; rm -f "$TMP/tiny.qcow2"; touch "$TMP/no-disk"; fi
  fi
  rm -rf "$TMP/x" "$TMP/xd" "$TMP/root" "$TMP/syslinux.cfg" "$TMP/marker.txt"
  rm -rf "$BUILD.old"; [ -e "$BUILD" ] && mv "$BUILD" "$BUILD.old"
  chmod 755 "$TMP"; mv "$TMP" "$BUILD"; trap - EXIT
  rm -rf "$BUILD.old"
  # Drop builds of other kernels/scripts not used for a day.
  find "$CACHE/build" -mindepth 1 -maxdepth 1 ! -name '.tmp.*' ! -name "${BUILD##*/}" -mtime +1 -exec rm -rf {} + 2>/dev/null || true
  log "built $BUILD ($(tr '\n' ' ' <"$BUILD/modules"))"
fi

# --- write the flake --------------------------------------------------------
place() {  # hard-link (or copy) $1 to $2 unless already identical
  [ "$1" -ef "$2" ] && return 0
  rm -f "$2"; ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
}
place "$BUILD/kernel" "$OUT/kernel"
place "$BUILD/initrd" "$OUT/initrd"
mkdir -p "$OUT/tools"
place "$BUILD/busybox" "$OUT/tools/busybox"
HAVE_DISK=false
if [ "$WANT_DISK" = 1 ] && [ -e "$BUILD/tiny.qcow2" ]; then
  place "$BUILD/tiny.qcow2" "$OUT/tiny.qcow2"; HAVE_DISK=true
else
  rm -f "$OUT/tiny.qcow2"
fi

FLAKE=$(cat <<EOF
{
  description = "Qubix tiny test guest (generated by testing/tiny-guest/make-tiny-flake.sh; kernel $KVER)";

  outputs = { self }:
    let
      system = "x86_64-linux";
      haveDisk = $HAVE_DISK;
      kernelParams = "$KERNEL_PARAMS";

      machine = name: images: {
        hostName = name;
        vmName = "qubix-\${name}";
        mode = "debug";
        cpuCount = 1;
        memoryStartupBytes = 268435456;
        maxMemoryBytes = 268435456;
        network = { mode = "dhcp"; };
        homeDisk = { enable = true; label = "qubix-home"; sizeMiB = 64; };
        rdp = { user = "rdp"; port = 3389; width = 1280; height = 800; };
        mdnsName = "\${name}.local";
        inherit images;
        hyperv = {
          vmRoot = "C:\\\\HyperV\\\\Qubix";
          switchName = "Default Switch";
          generation = 2;
          secureBoot = false;
          wslDistro = "NixOS";
        };
      };

      manifest = {
        schemaVersion = 3;
        machines = {
          tiny = machine "tiny" {
            microvm = { package = "tiny-direct"; format = "direct"; storePath = builtins.unsafeDiscardStringContext tiny-direct.outPath; };
            hyperv = { package = "tiny-vhdx"; format = "vhdx"; };
          };
        } // (if haveDisk then {
          tiny-disk = machine "tiny-disk" {
            microvm = { package = "tiny-qcow2"; format = "qcow2"; file = "tiny.qcow2"; storePath = builtins.unsafeDiscardStringContext tiny-qcow2.outPath; };
          };
        } else { });
      };

      # A static busybox from the flake itself: the sandbox has no /bin/sh and no host paths, and
      # busybox's sh runs its own applets (mkdir, cp, printf) without PATH.
      sh = name: script: env: derivation ({
        inherit name system;
        builder = "\${./tools}/busybox";
        args = [ "sh" "-c" script ];
      } // env);

      tiny-direct = sh "qubix-tiny-direct"
        "mkdir -p \$out && cp \$kernel \$out/kernel && cp \$initrd \$out/initrd && printf '%s\\\\n' \"\$kernelParams\" > \$out/kernel-params"
        { kernel = ./kernel; initrd = ./initrd; inherit kernelParams; };

      qubix-manifest-json = sh "qubix-manifest.json"
        "printf '%s\\\\n' \"\$json\" > \$out"
        { json = builtins.toJSON manifest; };

      tiny-qcow2 = sh "qubix-tiny-qcow2"
        "mkdir -p \$out && cp \$image \$out/tiny.qcow2"
        { image = ./tiny.qcow2; };
    in {
      packages.\${system} = { inherit tiny-direct qubix-manifest-json; default = tiny-direct; }
        // (if haveDisk then { inherit tiny-qcow2; } else { });
    };
}
EOF
)
if ! [ -e "$OUT/flake.nix" ] || [ "$(cat "$OUT/flake.nix")" != "$FLAKE" ]; then
  printf '%s\n' "$FLAKE" >"$OUT/flake.nix"
fi
if command -v git >/dev/null && git -C "$OUT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  log "note: $OUT is inside a git work tree; refer to it as path:$(cd "$OUT" && pwd)#<attr>"
fi
echo "$OUT"
