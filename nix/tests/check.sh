#!/usr/bin/env bash
# Checks of nix/ that run without nixpkgs (real Nix, 2.8 or newer):
#   - every .nix file parses;
#   - flake.lock pins nixpkgs and agrees with flake.nix's inputs;
#   - modules/qubix.nix declares exactly the options of lib/defaults.nix;
#   - every profile is used by a machine;
#   - lib/manifest.nix on the fixtures gives exactly the expected JSON;
#   - invalid fixtures fail evaluation with a message naming the option;
#   - the home image script makes a labelled, reproducible ext4 in a dynamic VHDX.
# One line per check; last line "N passed, M failed"; exit status 1 on any failure.
# Usage: bash nix/tests/check.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nixdir=$(cd "$here/.." && pwd)
fixtures=$here/fixtures
# The default binary cache is unreachable here; without this Nix waits for DNS.
export NIX_CONFIG='substituters ='
nixflags=(--extra-experimental-features "nix-command flakes")

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/     /'; fi
}
skip() {
  # Tests that need a tool skip locally but fail under CI (DESIGN.md, Tests).
  if [ "${CI:-}" = "true" ]; then fail "$1 (missing: $2)"; else echo "skip $1 (missing: $2)"; fi
}

if ! command -v nix-instantiate >/dev/null; then
  echo "FAIL nix-instantiate not found (apt-get install -y nix-bin)"
  echo "0 passed, 1 failed"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- every .nix file parses -------------------------------------------------------
while IFS= read -r -d '' f; do
  rel=${f#"$nixdir"/}
  if out=$(nix-instantiate --parse "$f" 2>&1 >/dev/null); then
    pass "parse $rel"
  else
    fail "parse $rel" "$out"
  fi
done < <(find "$nixdir" -name '*.nix' -type f -print0 | sort -z)

# --- flake inputs and lock ----------------------------------------------------------
if out=$(nix-instantiate --eval --strict -E \
  "let f = import $nixdir/flake.nix; in assert f.inputs.nixpkgs.url == \"github:NixOS/nixpkgs/nixos-25.11\"; builtins.isFunction f.outputs" 2>&1) \
  && [ "$out" = true ]; then
  pass "flake.nix: input nixpkgs = github:NixOS/nixpkgs/nixos-25.11"
else
  fail "flake.nix: input nixpkgs = github:NixOS/nixpkgs/nixos-25.11" "$out"
fi

# Copy outside the git work tree: inside it, a flake sees only tracked files.
cp -r "$nixdir" "$work/flake"
if out=$(timeout 60 nix "${nixflags[@]}" flake metadata --offline --no-update-lock-file --json "path:$work/flake" 2>&1) \
  && rev=$(printf '%s' "$out" | nix-instantiate --eval --strict -E \
    '(builtins.fromJSON (builtins.readFile /dev/stdin)).locks.nodes.nixpkgs.locked.rev' 2>&1) \
  && [ "$rev" = '"26ef669cffa904b6f6832ab57b77892a37c1a671"' ]; then
  pass "flake.lock: consistent with flake.nix, nixpkgs pinned to 26ef669c"
else
  fail "flake.lock: consistent with flake.nix, nixpkgs pinned to 26ef669c" "${out:-}${rev:+ rev=$rev}"
fi

# --- options vs defaults ------------------------------------------------------------
if out=$(nix-instantiate --eval --strict "$here/options-defaults.nix" 2>&1); then
  pass "modules/qubix.nix declares the $out options of lib/defaults.nix with their defaults"
else
  fail "modules/qubix.nix declares the options of lib/defaults.nix with their defaults" "$out"
fi

# --- every profile is imported by spotibox ------------------------------------------
while IFS= read -r -d '' f; do
  rel=${f#"$nixdir"/}
  if grep -qF "../$rel" "$nixdir/machines/spotibox.nix"; then
    pass "machines/spotibox.nix imports $rel"
  else
    fail "machines/spotibox.nix imports $rel"
  fi
done < <(find "$nixdir/profiles" -name '*.nix' -type f -print0 | sort -z)

# --- manifest: good fixtures ----------------------------------------------------------
for name in dhcp static nohome debug; do
  expr="builtins.fromJSON (builtins.readFile $fixtures/$name.expected.json)
        == import $nixdir/lib/manifest.nix (import $fixtures/$name.nix)"
  if out=$(nix-instantiate --eval --strict -E "$expr" 2>&1) && [ "$out" = true ]; then
    pass "manifest $name.nix == $name.expected.json"
  else
    detail=$out
    if [ "$out" = false ]; then
      detail=$(diff <(jq -S . "$fixtures/$name.expected.json") \
        <(nix-instantiate --eval --strict --json -E \
          "import $nixdir/lib/manifest.nix (import $fixtures/$name.nix)" | jq -S .) || true)
    fi
    fail "manifest $name.nix == $name.expected.json" "$detail"
  fi
done

# JSON as the flake writes it (builtins.toJSON), parsed back: schemaVersion 3, integers intact.
if out=$(nix-instantiate --eval --strict -E \
  "let m = builtins.fromJSON (builtins.toJSON (import $nixdir/lib/manifest.nix (import $fixtures/static.nix)));
   in [ m.schemaVersion m.machines.spotibox.maxMemoryBytes m.machines.spotibox.network.natSwitchSubnet ]" 2>&1) \
  && [ "$out" = '[ 3 6442450944 "192.168.250.0/24" ]' ]; then
  pass "manifest JSON round trip (schemaVersion 3, 64-bit sizes, natSwitchSubnet)"
else
  fail "manifest JSON round trip (schemaVersion 3, 64-bit sizes, natSwitchSubnet)" "$out"
fi

# --- manifest: bad fixtures fail, naming the option -----------------------------------
for f in "$fixtures"/bad-*.nix; do
  name=$(basename "$f" .nix)
  want=$(cat "$fixtures/$name.expected-error")
  if out=$(nix-instantiate --eval --strict --json -E \
    "import $nixdir/lib/manifest.nix (import $f)" 2>&1); then
    fail "manifest $name.nix is rejected" "evaluation succeeded: $out"
  elif grep -qF -- "$want" <<<"$out"; then   # a here-string: grep -q may exit early without SIGPIPE under pipefail
    pass "manifest $name.nix is rejected: $want"
  else
    fail "manifest $name.nix is rejected with \"$want\"" "$out"
  fi
done

# --- deterministic UUIDs for the home image -----------------------------------------
uuid_re='^"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$'
u1=$(nix-instantiate --eval -E "import $nixdir/lib/uuid.nix \"qubix-fs-uuid:spotibox-home-vhdx\"")
u2=$(nix-instantiate --eval -E "import $nixdir/lib/uuid.nix \"qubix-fs-uuid:spotibox-home-vhdx\"")
u3=$(nix-instantiate --eval -E "import $nixdir/lib/uuid.nix \"qubix-hash-seed:spotibox-home-vhdx\"")
if [ "$u1" = "$u2" ] && [ "$u1" != "$u3" ] && [[ $u1 =~ $uuid_re ]] && [[ $u3 =~ $uuid_re ]]; then
  pass "lib/uuid.nix: stable RFC 9562 v8 UUIDs from names ($u1)"
else
  fail "lib/uuid.nix: stable RFC 9562 v8 UUIDs from names" "$u1 $u2 $u3"
fi

# --- the home image script, for real, at a small size --------------------------------
missing=""
for tool in mkfs.ext4 qemu-img blkid; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  skip "images/make-home-image.sh makes a labelled dynamic VHDX" "$missing"
else
  export PATH=$PATH:/usr/sbin:/sbin
  fsuuid=${u1//\"/}
  seed=${u3//\"/}
  if out=$(bash "$nixdir/images/make-home-image.sh" "$work/a.vhdx" qubix-home 64 "$fsuuid" "$seed" 2>&1 \
    && bash "$nixdir/images/make-home-image.sh" "$work/b.vhdx" qubix-home 64 "$fsuuid" "$seed" 2>&1 \
    && qemu-img convert -f vhdx -O raw "$work/a.vhdx" "$work/a.raw" \
    && qemu-img convert -f vhdx -O raw "$work/b.vhdx" "$work/b.raw"); then
    info=$(qemu-img info "$work/a.vhdx")
    probe=$(blkid -p -o export "$work/a.raw" || true)
    if grep -q '^file format: vhdx' <<<"$info" && grep -q 'virtual size: 64 MiB' <<<"$info" \
      && grep -qx 'LABEL=qubix-home' <<<"$probe" && grep -qx 'TYPE=ext4' <<<"$probe" \
      && grep -qx "UUID=$fsuuid" <<<"$probe"; then
      pass "images/make-home-image.sh: 64 MiB VHDX, ext4 labelled qubix-home, UUID $fsuuid"
    else
      fail "images/make-home-image.sh: VHDX with ext4 labelled qubix-home" "$info"$'\n'"$probe"
    fi
    if cmp -s "$work/a.raw" "$work/b.raw"; then
      pass "images/make-home-image.sh: two builds hold bit-identical ext4"
    else
      fail "images/make-home-image.sh: two builds hold bit-identical ext4"
    fi
    # Dynamic: the 64 MiB disk takes a few MiB (metadata and journal only).
    size=$(stat -c %s "$work/a.vhdx")
    if [ "$size" -lt $((32 * 1024 * 1024)) ]; then
      pass "images/make-home-image.sh: dynamic VHDX ($size bytes for 64 MiB)"
    else
      fail "images/make-home-image.sh: dynamic VHDX" "$size bytes"
    fi
  else
    fail "images/make-home-image.sh runs" "$out"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
