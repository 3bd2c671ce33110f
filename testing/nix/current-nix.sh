#!/usr/bin/env bash
# A current Nix beside Debian 12's 2.8, for the second Nix lane of the tests: Debian 13 (trixie)'s
# nix-bin, resolved by apt-get against an EMPTY dpkg status in a private folder (so its whole
# dependency closure, glibc included, comes from trixie), unpacked with dpkg -x, and started
# through that closure's own loader. Nothing is installed on the host; the host's apt state is
# only read (for the archive's address and keyring).
#
#   testing/nix/current-nix.sh [LINK]     prints the path of the `nix` wrapper
#
# The unpacked Nix is cached in ${QUBIX_NIX_CACHE:-$XDG_CACHE_HOME/qubix}/nix-trixie; LINK
# (default: <repo>/.nix-current) is made a symlink to it, which the tests' "current" lane reads.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
link=${1:-$repo/.nix-current}
cache=${QUBIX_NIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qubix}/nix-trixie
suite=${QUBIX_NIX_SUITE:-trixie}
log() { echo "current-nix: $*" >&2; }

# The Debian archive this machine already uses (deb822 .sources or one-line sources.list).
archive_uri() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'tolower($1) == "uris:" { u = $2 } tolower($1) == "suites:" && / bookworm( |$)/ && u { print u; exit }' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true
}

if [ ! -x "$cache/bin/nix" ]; then
  uri=$(archive_uri | head -n1)
  [ -n "$uri" ] || { log "no Debian bookworm archive in /etc/apt sources: cannot resolve $suite's nix-bin"; exit 1; }
  mkdir -p "${cache%/*}"
  tmp=$(mktemp -d "${cache%/*}/.nix-trixie.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  apt=$tmp/apt
  mkdir -p "$apt"/etc/apt/{sources.list.d,preferences.d,apt.conf.d,trusted.gpg.d} "$apt"/var/lib/apt/lists/partial \
    "$apt"/var/cache/apt/archives/partial "$apt"/var/lib/dpkg
  : >"$apt/var/lib/dpkg/status"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$uri" "$suite" "$keyring" \
    >"$apt/etc/apt/sources.list.d/$suite.sources"
  opts=(-o "Dir=$apt" -o "Dir::State::status=$apt/var/lib/dpkg/status" -o "Dir::Etc=$apt/etc/apt"
    -o "Dir::Cache=$apt/var/cache/apt" -o "Dir::State=$apt/var/lib/apt" -o "APT::Architecture=amd64"
    -o "APT::Architectures=amd64" -o "Debug::NoLocking=1" -o "APT::Install-Recommends=false" -o "APT::Sandbox::User=root")
  log "resolving nix-bin in $suite (empty dpkg status: the whole closure)"
  apt-get "${opts[@]}" -qq update >&2
  apt-get "${opts[@]}" -qq -y --download-only install nix-bin >&2
  debs=("$apt"/var/cache/apt/archives/*.deb)
  root=$tmp/root
  mkdir -p "$root"
  for d in "${debs[@]}"; do dpkg -x "$d" "$root"; done
  chmod -R u-s,g-s "$root"   # chfn, chsh & co. come along; nothing here may be set-id
  version=$(dpkg-deb -f "$apt"/var/cache/apt/archives/nix-bin_*.deb Version)
  log "unpacked ${#debs[@]} packages ($(du -sm "$root" | cut -f1) MB), nix-bin $version"
  mkdir -p "$tmp/bin"
  # The loader runs nix with trixie's libraries; --argv0 keeps nix's multi-call names working.
  # sandbox-paths: Debian builds it with /bin/sh=/usr/bin/bash-static, which is not on this host.
  # build-hook "": otherwise nix starts its remote-build hook by re-executing itself without the loader.
  for name in nix nix-store nix-build nix-instantiate nix-collect-garbage nix-env nix-shell; do
    cat >"$tmp/bin/$name" <<WRAPPER
#!/bin/sh
root=\$(cd "\$(dirname "\$0")/../root" && pwd)
exec "\$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
  --library-path "\$root/usr/lib/x86_64-linux-gnu:\$root/lib/x86_64-linux-gnu" \\
  --argv0 $name "\$root/usr/bin/nix" --option build-hook "" \\
  --option sandbox-paths "/bin/sh=\$root/usr/bin/bash-static" "\$@"
WRAPPER
    chmod 755 "$tmp/bin/$name"
  done
  rm -rf "$apt"
  [ -e "$cache" ] && rm -rf "$cache"
  mv "$tmp" "$cache"
  trap - EXIT
fi
"$cache/bin/nix" --version >/dev/null
ln -sfn "$cache" "$link"
echo "$link/bin/nix"
