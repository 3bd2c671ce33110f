#!/usr/bin/env bash
# Checks of nix/ that run without nixpkgs (real Nix, 2.8 or newer):
#   - every .nix file parses;
#   - flake.lock pins nixpkgs and agrees with flake.nix's inputs;
#   - modules/qubix.nix declares exactly the options of lib/defaults.nix;
#   - every profile is used by a machine;
#   - lib/manifest.nix on the fixtures gives exactly the expected JSON;
#   - invalid fixtures fail evaluation with a message naming the option;
#   - the home image script makes a labelled, reproducible ext4 in a dynamic VHDX, and at
#     the default 16 GiB the VHDX is at most 32 MiB with its inode tables written;
#   - with QUBIX_NIXPKGS_LIB (a checkout of nixpkgs' lib/): the machines, flake.nix and the
#     NixOS tests evaluated by the real lib.evalModules against typed stand-ins of the NixOS
#     options (tests/typed/), covering review items 1-6 and 8, egress and the budget.
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
  # Tests that need a tool skip locally but fail under CI, like the Java tests' Requires.
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

# --- every profile is imported by a machine (spotibox, or its container variant) ------
while IFS= read -r -d '' f; do
  rel=${f#"$nixdir"/}
  if users=$(grep -lF "../$rel" "$nixdir"/machines/*.nix); then
    pass "$rel is imported by $(basename -a $users | paste -sd, -)"
  else
    fail "$rel is imported by no machine in machines/"
  fi
done < <(find "$nixdir/profiles" -name '*.nix' -type f -print0 | sort -z)

# --- manifest: good fixtures ----------------------------------------------------------
for name in dhcp static nohome debug container; do
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

# --- the Hyper-V KVP reader (profiles/remote/kvp-credential.sh) on made-up pools ----------
# Records as hv_kvp_daemon writes them: key[512] value[2048], NUL-terminated, junk after the NUL.
kvp_pool() { # kvp_pool FILE KEY=VALUE...
  python3 - "$@" <<'PY'
import sys
out = bytearray()
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    key = (k.encode() + b"\0").ljust(512, b"J")
    value = (v.encode() + b"\0").ljust(2048, b"J")
    out += key + value
open(sys.argv[1], "wb").write(bytes(out))
PY
}
if ! command -v python3 >/dev/null; then
  skip "kvp-credential.sh on made-up pools" python3
else
  kvp=$nixdir/profiles/remote/kvp-credential.sh
  secret=Zm9vYmFyYmF6cXV4LXF1Yml4X3NlY3JldA
  kvp_pool "$work/pool" "qubix.rdp-password.old=wrong" "FullyQualifiedDomainName=spotibox" "qubix.rdp-password=$secret"
  if out=$(bash -c '. "$1"; qubix_kvp_credential "$2" qubix.rdp-password "$3" 0' _ "$kvp" "$work/pool" "$work/cred/qubix.rdp-password" 2>&1) \
    && [ "$(cat "$work/cred/qubix.rdp-password")" = "$secret" ] \
    && [ "$(stat -c %a "$work/cred/qubix.rdp-password")" = 600 ] && [ ! -e "$work/cred/qubix.rdp-password.tmp" ]; then
    pass "kvp-credential.sh: copies exactly the item qubix.rdp-password (not a longer key, not the junk after NUL), 0600"
  else
    fail "kvp-credential.sh: copies exactly the item qubix.rdp-password (not a longer key, not the junk after NUL), 0600" \
      "$out $(ls -l "$work/cred" 2>&1)"
  fi
  kvp_pool "$work/pool2" "qubix.rdp-password.old=wrong"
  if ! bash -c '. "$1"; qubix_kvp_credential "$2" qubix.rdp-password "$3" 0' _ "$kvp" "$work/pool2" "$work/cred2/c" \
    && [ ! -e "$work/cred2/c" ] && [ ! -e "$work/cred2/c.tmp" ]; then
    pass "kvp-credential.sh: without the item it returns 1 and writes nothing"
  else
    fail "kvp-credential.sh: without the item it returns 1 and writes nothing" "$(ls -l "$work/cred2" 2>&1)"
  fi
  ( sleep 1; kvp_pool "$work/pool3" "qubix.rdp-password=$secret" ) &
  if bash -c '. "$1"; qubix_kvp_credential "$2" qubix.rdp-password "$3" 10' _ "$kvp" "$work/pool3" "$work/cred3/c" \
    && [ "$(cat "$work/cred3/c")" = "$secret" ]; then
    pass "kvp-credential.sh: waits for an item the daemon writes later"
  else
    fail "kvp-credential.sh: waits for an item the daemon writes later"
  fi
  wait
fi

# --- typed evaluation: the machines through nixpkgs' lib.evalModules -------------------
# nixpkgs' lib/ (the nixpkgs.lib mirror; no registry ships it) runs the machine files and
# flake.nix against typed stand-ins of the NixOS options (tests/typed/). Without it these
# checks are skipped, also under CI: QUBIX_NIXPKGS_LIB=/path/to/nixpkgs.lib checkout.
libroot=${QUBIX_NIXPKGS_LIB:-}
if [ -z "$libroot" ] || [ ! -f "$libroot/lib/default.nix" ]; then
  echo "skip typed evaluation of machines and flake (set QUBIX_NIXPKGS_LIB to a nixpkgs lib checkout)"
else
  typed_prelude="let e = import $here/typed/eval.nix { nixpkgsLib = import $libroot/lib; };
    lib = e.lib; flake = e.flakeOutputs; pkgs = flake.packages.x86_64-linux;
    sys = flake.nixosConfigurations; machine = e.machine e.spotibox; nixpkgs = e.nixpkgs; in"
  # typed_is NAME EXPR WANT: EXPR (after the prelude) must print WANT (--json).
  typed_is() {
    local out
    if out=$(nix-instantiate --eval --strict --json -E "$typed_prelude $2" 2>&1) && [ "$out" = "$3" ]; then
      pass "$1"
    else
      fail "$1" "want $3, got: $out"
    fi
  }
  # typed_fails NAME EXPR WANT [UNWANTED]: evaluation must fail, saying WANT (and not UNWANTED).
  typed_fails() {
    local out
    if out=$(nix-instantiate --eval --strict --json -E "$typed_prelude $2" 2>&1); then
      fail "$1" "evaluation succeeded: $out"
    elif grep -qF -- "$3" <<<"$out" && { [ -z "${4:-}" ] || ! grep -qF -- "$4" <<<"$out"; }; then
      pass "$1"
    else
      fail "$1" "$out"
    fi
  }

  # 1. nix flake check / nixos-rebuild evaluate config.system.build.toplevel.
  for m in spotibox spotibox-debug; do
    typed_is "item 1: nixosConfigurations.$m: config.system.build.toplevel evaluates (root fs, GRUB device)" \
      "sys.$m.config.system.build.toplevel" "\"toplevel of $m\""
  done
  typed_is "item 1: nixosConfigurations.spotibox is the Hyper-V guest (root by label nixos, GRUB nodev)" \
    "[ sys.spotibox.config.fileSystems.\"/\".device sys.spotibox.config.boot.loader.grub.device ]" \
    '["/dev/disk/by-label/nixos","nodev"]'
  typed_is "item 1: the qemu variant keeps GRUB on /dev/vda (no base-level GRUB device)" \
    "pkgs.spotibox-qcow2.passthru.config.boot.loader.grub.devices" '["/dev/vda"]'
  # 2. The system disk size is a qubix option, 8192 MiB by default, for both variants.
  typed_is "item 2: spotibox-vhdx and spotibox-qcow2 are built with diskSize 8192 MiB (qubix.systemDisk.sizeMiB)" \
    "[ pkgs.spotibox-vhdx.qubixStubArgs.diskSize pkgs.spotibox-qcow2.qubixStubArgs.diskSize ]" '[8192,8192]'
  typed_is "item 2: qubix.systemDisk.sizeMiB = 12288 reaches the Hyper-V image builder" \
    "(e.machine e.spotibox { qubix.systemDisk.sizeMiB = 12288; }).system.build.hypervImage.qubixStubArgs.diskSize" '12288'
  # 3. No nixpkgs channel copy in either image.
  typed_is "item 3: every image is built with copyChannel = false" \
    "map (n: pkgs.\${n}.qubixStubArgs.copyChannel) [ \"spotibox-vhdx\" \"spotibox-qcow2\" \"spotibox-debug-vhdx\" \"spotibox-debug-qcow2\" ]" \
    '[false,false,false,false]'
  # 4. qubix.rdp.user = "user" is a clear error.
  typed_fails "item 4: qubix.rdp.user = \"user\" fails naming qubix.rdp.user, not a duplicate attribute" \
    "(e.machine e.spotibox { qubix.rdp.user = lib.mkForce \"user\"; }).system.build.toplevel" \
    "qubix.rdp.user must differ from the console user" "already defined"
  # 5. Root has one password option: no "multiple of the options" warning.
  typed_is "item 5: no evaluation warnings (root has only NixOS's initialHashedPassword)" \
    "map (m: sys.\${m}.config.warnings) [ \"spotibox\" \"spotibox-debug\" ]" '[[],[]]'
  typed_is "item 5: users.users.root: hashedPassword unset, initialHashedPassword \"!\"" \
    "with sys.spotibox.config.users.users.root; [ hashedPassword initialHashedPassword ]" '[null,"!"]'
  # The RDP password: the per-VM credential by default, the lab password only on opt-in.
  typed_is "rdp password: by default rdp is locked (\"!\") until qubix-rdp-password.service sets it from the credential, before xrdp" \
    "let c = pkgs.spotibox-qcow2.passthru.config; s = c.systemd.services.qubix-rdp-password; in [ c.qubix.rdp.passwordFrom c.users.users.rdp.initialPassword c.users.users.rdp.initialHashedPassword s.serviceConfig.ImportCredential s.before s.requiredBy (lib.hasInfix \"chpasswd\" s.script) (lib.hasInfix \"usermod -p '!'\" s.script) ]" \
    '["credential",null,"!","qubix.rdp-password",["xrdp.service","xrdp-sesman.service"],["xrdp-sesman.service"],true,true]'
  typed_is "rdp password: the credential never reaches the store: the script reads it at run time" \
    "lib.hasInfix \"CREDENTIALS_DIRECTORY\" pkgs.spotibox-qcow2.passthru.config.systemd.services.qubix-rdp-password.script" 'true'
  typed_is "rdp password: the Hyper-V image takes the credential too (no lab password), from the KVP item" \
    "let c = sys.spotibox.config; in [ c.qubix.rdp.passwordFrom c.users.users.rdp.initialPassword c.users.users.rdp.initialHashedPassword (c.systemd.services ? qubix-rdp-password) (c.systemd.services ? qubix-kvp-credential) ]" \
    '["credential",null,"!",true,true]'
  typed_is "rdp password: on Hyper-V the KVP reader runs after hv-kvp and before qubix-rdp-password, and puts pool 0's item into /run/credstore" \
    "let s = sys.spotibox.config.systemd.services.qubix-kvp-credential; in [ s.after s.wants s.before s.wantedBy s.serviceConfig.Type (lib.hasInfix \"qubix_kvp_credential /var/lib/hyperv/.kvp_pool_0 qubix.rdp-password /run/credstore/qubix.rdp-password 90\" s.script) ]" \
    '[["hv-kvp.service"],["hv-kvp.service"],["qubix-rdp-password.service"],["multi-user.target","qubix-rdp-password.service"],"oneshot",true]'
  typed_is "rdp password: before hv-kvp starts, last boot's host items are dropped and /var/lib/hyperv is made 0700" \
    "let s = sys.spotibox.config.systemd.services.qubix-kvp-pool-reset; in [ s.before s.wantedBy (lib.hasInfix \"rm -f /var/lib/hyperv/.kvp_pool_0\" s.script) (lib.hasInfix \"chmod 0700 /var/lib/hyperv\" s.script) ]" \
    '[["hv-kvp.service"],["hv-kvp.service"],true,true]'
  typed_is "rdp password: the qemu image has no KVP reader (its credential comes over fw_cfg)" \
    "let c = pkgs.spotibox-qcow2.passthru.config; in [ (c.systemd.services ? qubix-kvp-credential) (c.systemd.services ? qubix-kvp-pool-reset) ]" \
    '[false,false]'
  typed_is "rdp password: passwordFrom = \"lab\" gives rdp the lab password and no credential service" \
    "let c = e.machine e.spotibox { qubix.rdp.passwordFrom = \"lab\"; }; in [ c.users.users.rdp.initialPassword c.users.users.rdp.initialHashedPassword (c.systemd.services ? qubix-rdp-password) ]" \
    '["qubix",null,false]'
  typed_fails "rdp password: an unknown passwordFrom is refused by the option type" \
    "(e.machine e.spotibox { qubix.rdp.passwordFrom = \"plain\"; }).qubix.rdp.passwordFrom" \
    "qubix.rdp.passwordFrom"
  # 6. The IPv4 option type has the manifest's octet rule.
  for bad in 10.0.0.300 010.0.0.1 10.0.0 256.1.1.1; do
    typed_fails "item 6: qubix.network.staticIp = $bad is refused by the option type" \
      "(e.machine e.spotibox { qubix.network = { staticIp = \"$bad\"; gateway = \"10.0.0.1\"; }; }).qubix.network.staticIp" \
      "qubix.network.staticIp"
  done
  typed_fails "item 6: qubix.network.nameservers = [ \"1.1.1.01\" ] is refused by the option type" \
    "(e.machine e.spotibox { qubix.network.nameservers = [ \"1.1.1.01\" ]; }).qubix.network.nameservers" \
    "qubix.network.nameservers"
  typed_is "item 6: a valid static address evaluates" \
    "(e.machine e.spotibox { qubix.network = { staticIp = \"10.0.0.254\"; gateway = \"10.0.0.1\"; }; }).networking.interfaces.eth0.ipv4.addresses" \
    '[{"address":"10.0.0.254","prefixLength":24}]'
  # 8. Nothing redundant.
  typed_is "item 8: TCP ports opened once: xrdp's openFirewall only (prod [3389], debug [3389,22])" \
    "[ sys.spotibox.config.networking.firewall.allowedTCPPorts sys.spotibox-debug.config.networking.firewall.allowedTCPPorts ]" \
    '[[3389],[3389,22]]'
  typed_is "item 8: boot.kernelPackages and services.openssh.openFirewall left at their defaults (priority 1500)" \
    "map (o: o.highestPrio) (with sys.spotibox-debug.options; [ boot.kernelPackages services.openssh.openFirewall ])" \
    '[1500,1500]'

  # Egress allowlist (profiles/network/egress.nix).
  allow="(e.machine e.spotibox { qubix.network = { staticIp = \"10.0.0.5\"; gateway = \"10.0.0.1\"; nameservers = [ \"9.9.9.9\" ]; egress = { mode = lib.mkForce \"allowlist\"; domains = [ \"spotify.com\" \"scdn.co\" ]; }; }; })"
  typed_is "egress: spotibox is open (no nftables table, no dnsmasq) and its manifest says so" \
    "[ sys.spotibox.config.networking.nftables.enable sys.spotibox.config.services.dnsmasq.enable flake.lib.qubixManifest.machines.spotibox.network.egress.mode ]" \
    '[false,false,"open"]'
  typed_is "egress: allowlist evaluates; dnsmasq fills sets allowed4/allowed6 per domain, resolver 127.0.0.1, upstream the static DNS" \
    "let c = $allow; in [ c.system.build.toplevel c.services.dnsmasq.settings.nftset c.networking.nameservers c.services.dnsmasq.settings.server ]" \
    '["toplevel of spotibox",["/spotify.com/4#inet#qubix-egress#allowed4,6#inet#qubix-egress#allowed6","/scdn.co/4#inet#qubix-egress#allowed4,6#inet#qubix-egress#allowed6"],["127.0.0.1"],["9.9.9.9"]]'
  typed_is "egress: allowlist output chain: policy drop, DNS only from dnsmasq, TCP/UDP only to the sets" \
    "let t = $allow.networking.nftables.tables.qubix-egress; has = x: lib.hasInfix x t.content; in [ t.family (has \"hook output priority filter; policy drop;\") (has \"meta skuid \\\"dnsmasq\\\" udp dport 53 accept\") (has \"ip daddr @allowed4 meta l4proto { tcp, udp } accept\") (has \"ip6 daddr @allowed6\") ]" \
    '["inet",true,true,true,true]'
  typed_fails "egress: allowlist without domains fails naming qubix.network.egress.domains" \
    "(e.machine e.spotibox { qubix.network.egress.mode = lib.mkForce \"allowlist\"; }).system.build.toplevel" \
    "qubix.network.egress.domains"
  typed_fails "egress: qubix.network.egress.mode = \"proxy\" is refused by the option type" \
    "(e.machine e.spotibox { qubix.network.egress.mode = lib.mkForce \"proxy\"; }).qubix.network.egress.mode" \
    "qubix.network.egress.mode"

  # NixOS VM tests: each evaluates under the typed stub (nodes' toplevels, no warnings),
  # its test script is valid Python, and it tests what it says.
  checks="flake.checks.x86_64-linux"
  typed_is "flake checks: the four NixOS tests, the closure budget and the manifest" \
    "builtins.attrNames $checks" \
    '["closure-budget","egress","home-persistence","qubix-manifest-json","spotibox-basic","xrdp-session"]'
  for t in spotibox-basic xrdp-session home-persistence egress; do
    typed_is "test $t: runNixOSTest arguments valid, every node's toplevel evaluates, no warnings" \
      "let q = $checks.$t.qubixTest; in [ q.name (builtins.all (x: lib.hasPrefix \"toplevel of \" x) (builtins.attrValues q.nodes)) q.warnings q.node.pkgsReadOnly ]" \
      "[\"$t\",true,[],false]"
    if script=$(nix-instantiate --eval --strict --json -E "$typed_prelude $checks.$t.qubixTest.script" 2>&1 | jq -r .) \
      && out=$(python3 -c 'import sys; compile(sys.stdin.read(), sys.argv[1], "exec")' "$t" <<<"$script" 2>&1); then
      pass "test $t: testScript is valid Python"
    else
      fail "test $t: testScript is valid Python" "${out:-$script}"
    fi
  done
  typed_is "test home-persistence: the VM mounts /home exactly as the machine does (lib/home-mount.nix)" \
    "let c = $checks.home-persistence.qubixTest.nodeConfigs.machine; in [ (c.fileSystems.\"/home\" == sys.spotibox.config.fileSystems.\"/home\") c.fileSystems.\"/home\".device c.virtualisation.emptyDiskImages ]" \
    '[true,"/dev/disk/by-label/qubix-home",[512]]'
  typed_is "test egress: machine in allowlist mode for allowed.test, upstream DNS the internet node (192.168.1.1)" \
    "let c = $checks.egress.qubixTest.nodeConfigs.machine; in [ c.qubix.network.egress.mode c.services.dnsmasq.settings.nftset c.services.dnsmasq.settings.server (c.networking.nftables.tables ? qubix-egress) ]" \
    '["allowlist",["/allowed.test/4#inet#qubix-egress#allowed4,6#inet#qubix-egress#allowed6"],["192.168.1.1"],true]'
  typed_is "test xrdp-session: the client has FreeRDP and logs in as rdp with the credential the VM gets over fw_cfg" \
    "let q = $checks.xrdp-session.qubixTest; in [ (builtins.length q.nodeConfigs.client.environment.systemPackages) (lib.hasInfix \"/u:rdp /p:test-credential-Zq3v /cert:ignore /auth-only\" q.script) (builtins.elem \"name=opt/io.systemd.credentials/qubix.rdp-password,string=test-credential-Zq3v\" q.nodeConfigs.machine.virtualisation.qemu.options) (lib.hasInfix \"/auth-only\" q.script) ]" \
    '[2,true,true,true]'
  # The nspawn variant (machines/spotibox-container.nix, profiles/container/nspawn.nix).
  ct="sys.spotibox-container.config"
  typed_is "container: nixosConfigurations.spotibox-container is a container whose toplevel evaluates (no root fs, no GRUB)" \
    "[ $ct.system.build.toplevel $ct.boot.isContainer $ct.boot.loader.grub.enable $ct.fileSystems ]" \
    '["toplevel of spotibox-container",true,false,{}]'
  typed_is "container: the flake exports its toplevel as spotibox-container-toplevel, and no disk or home image of it" \
    "[ (pkgs.spotibox-container-toplevel == $ct.system.build.toplevel) (builtins.filter (lib.hasPrefix \"spotibox-container\") (builtins.attrNames pkgs)) ]" \
    '[true,["spotibox-container-toplevel"]]'
  typed_is "container: the manifest gives it exactly images.nspawn = { package = spotibox-container-toplevel; format = nixos-system; }" \
    "let i = flake.lib.qubixManifest.machines.spotibox-container.images; in [ (builtins.attrNames i) i.nspawn.package i.nspawn.format (i.nspawn ? file) ]" \
    '[["nspawn"],"spotibox-container-toplevel","nixos-system",false]'
  typed_is "container: no kernel parameters, no Hyper-V guest, no KVP reader, no /home disk mount, no mDNS" \
    "[ $ct.boot.kernelParams $ct.virtualisation.hypervGuest.enable ($ct.systemd.services ? qubix-kvp-credential) ($ct.systemd.services ? qubix-home) $ct.services.avahi.enable ]" \
    '[[],false,false,false,false]'
  typed_is "container: network as slirp4netns sets it up: no DHCP, DNS 10.0.2.3, not the host's resolv.conf" \
    "[ $ct.networking.useDHCP $ct.networking.useHostResolvConf $ct.networking.nameservers $ct.networking.interfaces ]" \
    '[false,false,["10.0.2.3"],{}]'
  typed_is "container: RDP password from the credential systemd-nspawn --load-credential passes (ImportCredential), before xrdp" \
    "let s = $ct.systemd.services.qubix-rdp-password; in [ $ct.qubix.rdp.passwordFrom $ct.users.users.rdp.initialHashedPassword s.serviceConfig.ImportCredential s.requiredBy (lib.hasInfix \"CREDENTIALS_DIRECTORY\" s.script) ]" \
    '["credential","!","qubix.rdp-password",["xrdp-sesman.service"],true]'
  typed_is "container: the spotibox appliance otherwise: xrdp on 3389 with Openbox, PulseAudio, firewall, no warnings" \
    "[ $ct.services.xrdp.enable $ct.networking.firewall.allowedTCPPorts $ct.services.pulseaudio.enable $ct.networking.firewall.enable $ct.warnings ]" \
    '[true,[3389],true,true,[]]'
  typed_fails "container: qubix.network.staticIp is refused, naming the option" \
    "(nixpkgs.lib.nixosSystem { modules = [ e.spotiboxContainer { qubix.network = { staticIp = \"10.0.2.100\"; gateway = \"10.0.2.2\"; }; } ]; }).config.system.build.toplevel" \
    "qubix.network.staticIp must be null in a container"

  # The closure budget: one number (lib/budget.nix), used by the check, quoted in README.
  budget=$(nix-instantiate --eval -E "(import $nixdir/lib/budget.nix).closureMiB" 2>&1 || true)
  typed_is "closure-budget: checks the production toplevel against lib/budget.nix ($budget MiB)" \
    "let b = $checks.closure-budget; in [ (lib.hasInfix \"\${toString (import $nixdir/lib/budget.nix).closureMiB} * 1024 * 1024\" b.qubixScript) (lib.hasInfix \"total-nar-size\" b.qubixScript) ]" \
    '[true,true]'
fi
budget=$(nix-instantiate --eval -E "(import $nixdir/lib/budget.nix).closureMiB" 2>/dev/null || echo missing)
if grep -qF "closure budget: $budget MiB" "$nixdir/../README.md"; then
  pass "README states the closure budget of lib/budget.nix ($budget MiB)"
else
  fail "README states the closure budget of lib/budget.nix (\"closure budget: $budget MiB\")"
fi
if grep -q 'graphical-desktop.enable' "$nixdir/profiles/audio/pulseaudio-xrdp.nix" \
  && ! grep -q 'graphical-desktop.nix turns it on by default' "$nixdir/profiles/audio/pulseaudio-xrdp.nix"; then
  pass "item 8: pulseaudio-xrdp.nix says PipeWire follows services.graphical-desktop.enable"
else
  fail "item 8: pulseaudio-xrdp.nix says PipeWire follows services.graphical-desktop.enable"
fi

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
for tool in mkfs.ext4 qemu-img blkid dumpe2fs python3; do
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

  # Item 7: the real default size. qemu-img's default 16 MiB VHDX block made the blank
  # 16 GiB home 344 MB; 1 MiB blocks keep it at 32 MiB. Inode tables are written now
  # (lazy_itable_init=0), so the first mount does not grow the file.
  home_mib=$(nix-instantiate --eval -E "(import $nixdir/lib/defaults.nix).homeDisk.sizeMiB" 2>/dev/null || echo 16384)
  budget_bytes=$((32 * 1024 * 1024))
  if out=$(bash "$nixdir/images/make-home-image.sh" "$work/c.vhdx" qubix-home "$home_mib" "$fsuuid" "$seed" 2>&1 \
    && bash "$nixdir/images/make-home-image.sh" "$work/d.vhdx" qubix-home "$home_mib" "$fsuuid" "$seed" 2>&1); then
    size=$(stat -c %s "$work/c.vhdx")
    if [ "$size" -le "$budget_bytes" ]; then
      pass "item 7: blank $home_mib MiB home VHDX is $size bytes (at most 32 MiB)"
    else
      fail "item 7: blank $home_mib MiB home VHDX is at most 32 MiB" "$size bytes"
    fi
    if cmp -s "$work/c.vhdx" "$work/d.vhdx"; then
      pass "item 7: two $home_mib MiB home images are bit-identical VHDX files"
    else
      fail "item 7: two $home_mib MiB home images are bit-identical VHDX files" "$(cmp -l "$work/c.vhdx" "$work/d.vhdx" | head -5)"
    fi
    if out=$(qemu-img check "$work/c.vhdx" 2>&1); then
      pass "item 7: qemu-img check finds no errors in the home VHDX (fixed ids, checksums)"
    else
      fail "item 7: qemu-img check of the home VHDX" "$out"
    fi
    qemu-img convert -f vhdx -O raw "$work/c.vhdx" "$work/c.raw"
    groups=$(dumpe2fs "$work/c.raw" 2>/dev/null | grep -c '^Group [0-9]' || true)
    zeroed=$(dumpe2fs "$work/c.raw" 2>/dev/null | grep '^Group [0-9]' | grep -c 'ITABLE_ZEROED' || true)
    rm -f "$work/c.raw"
    if [ "$groups" -gt 0 ] && [ "$zeroed" = "$groups" ]; then
      pass "item 7: inode tables initialised at mkfs (ITABLE_ZEROED in all $groups groups)"
    else
      fail "item 7: inode tables initialised at mkfs" "$zeroed of $groups groups ITABLE_ZEROED"
    fi
  else
    fail "item 7: images/make-home-image.sh at $home_mib MiB" "$out"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
