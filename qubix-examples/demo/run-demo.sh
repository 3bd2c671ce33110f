#!/usr/bin/env bash
# Offline Qubix demo for a fresh Debian/Ubuntu machine: no Hyper-V, no internet, no nixpkgs.
# Makes the tiny test guest (Debian cloud kernel + busybox) into an input-free flake and drives it
# through qubixctl on the microvm (QEMU) backend:
#   up → status → recreate (the boot counter on the persistent home disk rises) → connect --no-client → destroy
# As root it installs what is missing; otherwise it says what to install.
# Usage: qubix-examples/demo/run-demo.sh [WORKDIR]     (default: a fresh temp dir, removed at the end)
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
work="${1:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d -t qubix-demo.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
state="$work/state"
flake="$work/tiny-flake"

say() { printf '\n== %s\n' "$*"; }

# --- 1. tools ------------------------------------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v nix >/dev/null || need+=(nix-bin)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing tools; install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

# Nix run as root builds as its build users (group nixbld), which Debian's nix-bin does not create.
if [ "$(id -u)" = 0 ]; then
  bash "$root/testing/nix/build-users.sh"
elif ! getent group nixbld >/dev/null && [ ! -S /nix/var/nix/daemon-socket/socket ]; then
  echo "Nix has no build users and no daemon here: run this demo as root once, or install nix-setup-systemd" >&2
  exit 1
fi

# nixpkgs and the binary cache are not needed: the tiny flake has no inputs
export NIX_CONFIG="substituters =
experimental-features = nix-command flakes"
export QUBIX_STATE_DIR="$state"
qubixctl() { "$root/qubixctl" --flake "$flake" --backend microvm "$@"; }
boot_count() { grep -ao 'QUBIX-BOOT-COUNT=[0-9]*' "$state/qubix-tiny/serial.log" 2>/dev/null | tail -n 1 | cut -d= -f2; }

# --- 2. the tiny guest flake (kernel + busybox initramfs from Debian packages) -------------
say "making the tiny guest flake in $flake"
bash "$root/testing/tiny-guest/make-tiny-flake.sh" "$flake"

# --- 3. the appliance lifecycle --------------------------------------------------------------
say "qubixctl up tiny"
qubixctl up tiny
qubixctl connect --no-client --timeout 120 tiny
first=$(boot_count)
echo "boot counter on the home disk: $first"

say "qubixctl status tiny"
qubixctl status tiny
qubixctl --json status tiny

say "qubixctl recreate tiny (fresh system disk, same home disk)"
qubixctl recreate tiny
qubixctl connect --no-client --timeout 120 tiny
second=$(boot_count)
echo "boot counter on the home disk: $second"

say "qubixctl destroy tiny (home disk kept)"
qubixctl destroy tiny
ls -1 "$state/qubix-tiny/"

if [ -z "$first" ] || [ -z "$second" ] || [ "$second" -le "$first" ]; then
  echo "demo FAILED: the boot counter did not rise across recreate ($first → $second)" >&2
  exit 1
fi
qubixctl destroy --purge tiny >/dev/null
echo
echo "demo OK: boot counter $first → $second across recreate; the home disk survived"
