#!/usr/bin/env bash
# Blank ext4 home disk as a dynamic VHDX, reproducibly.
#   make-home-image.sh OUT_FILE LABEL SIZE_MIB FS_UUID HASH_SEED
# Needs mkfs.ext4 (e2fsprogs), qemu-img and python3 on PATH. Used by images/home-vhdx.nix and run
# for real by tests/check.sh.
# Reproducible file system: fixed UUID and directory hash seed (callers derive both from
# the image name, lib/uuid.nix), fixed timestamps (E2FSPROGS_FAKE_TIME; newer e2fsprogs
# also honour SOURCE_DATE_EPOCH), explicit geometry so mke2fs.conf defaults do not leak
# in, inode tables and journal initialised now (lazy_itable_init=0, lazy_journal_init=0:
# no ext4lazyinit writing them on first mount, which would grow the dynamic VHDX) but as
# zeros, which qemu-img does not allocate, no discard, and 1 MiB VHDX blocks (qemu-img's
# default of 16 MiB turned a few scattered metadata blocks into 344 MB for 16 GiB; 1 MiB
# gives 32 MiB). qemu-img draws the VHDX container's identifiers at random;
# vhdx-fixed-ids.py replaces them with ones derived from HASH_SEED, so the whole file is
# bit-identical across builds.
set -euo pipefail

if [ "$#" -ne 5 ]; then
  echo "usage: $0 OUT_FILE LABEL SIZE_MIB FS_UUID HASH_SEED" >&2
  exit 2
fi
out=$1 label=$2 size_mib=$3 fs_uuid=$4 hash_seed=$5

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
raw=$work/home.img

truncate -s "${size_mib}M" "$raw"
E2FSPROGS_FAKE_TIME=1 SOURCE_DATE_EPOCH=1 mkfs.ext4 -q -F \
  -L "$label" \
  -U "$fs_uuid" \
  -E "hash_seed=$hash_seed,lazy_itable_init=0,lazy_journal_init=0,nodiscard,root_owner=0:0" \
  -T default -b 4096 -I 256 -m 0 \
  "$raw"
qemu-img convert -q -f raw -O vhdx -o subformat=dynamic,block_size=1M "$raw" "$out"
python3 "$(dirname "${BASH_SOURCE[0]}")/vhdx-fixed-ids.py" "$out" "$hash_seed"
