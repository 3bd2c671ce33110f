#!/usr/bin/env bash
# Boot the tiny guest with plain QEMU (what the Qubix microvm backend does,
# minus Qubix). Used by the boot-to-ready benchmark and for debugging.
#
#   boot-by-hand.sh DIR HOME_QCOW2 [PORT] [SERIAL_LOG] [QMP_SOCKET]
#
# DIR: a folder holding kernel, initrd (and optionally kernel-params), e.g.
# the OUTDIR of make-tiny-flake.sh or the nix-built tiny-direct output.
# HOME_QCOW2 may be "-" for no home disk. Extra QEMU args: $QEMU_EXTRA.
# Env QEMU_ACCEL (default tcg).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR HOME_QCOW2 [PORT] [SERIAL_LOG] [QMP_SOCKET]" >&2; exit 2; }
DIR=$1 HOME_IMG=$2 PORT=${3:-13389} SERIAL=${4:-/dev/stdout} QMP=${5:-}
PARAMS="console=ttyS0 panic=-1 quiet"
[ -f "$DIR/kernel-params" ] && PARAMS=$(cat "$DIR/kernel-params")
SERIAL_ARG=file:$SERIAL
[ "$SERIAL" = /dev/stdout ] && SERIAL_ARG=stdio
args=(
  qemu-system-x86_64 -accel "${QEMU_ACCEL:-tcg}" -m 256 -smp 1
  -display none -no-reboot -nodefaults
  -serial "$SERIAL_ARG"
  -kernel "$DIR/kernel" -initrd "$DIR/initrd" -append "$PARAMS"
  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:3389" -device virtio-net-pci,netdev=n0
)
if [ "$HOME_IMG" != - ]; then
  args+=(-drive "file=$HOME_IMG,format=qcow2,if=none,id=home"
         -device virtio-blk-pci,drive=home,serial=qubix-home)
fi
[ -n "$QMP" ] && args+=(-qmp "unix:$QMP,server,nowait")
# shellcheck disable=SC2206
args+=(${QEMU_EXTRA:-})
exec "${args[@]}"
