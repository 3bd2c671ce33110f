#!/usr/bin/env bash
# Nix's own set-up for a root install, done the way the Nix installer does it: a `nixbld` group and
# build users in it. Debian's `nix-bin` ships without them (its `nix-setup-systemd` package makes
# them, but needs systemd as PID 1 for the daemon it also enables), and Nix run as root refuses to
# build without the group named by its default `build-users-group = nixbld`.
# Idempotent; changes nothing when the group and its users exist. Root only.
#   testing/nix/build-users.sh [COUNT]     (default 8 users, as many parallel builds as that)
set -euo pipefail
count=${1:-8}
[ "$(id -u)" = 0 ] || { echo "build-users.sh: run as root (Nix's build users are system accounts)" >&2; exit 1; }

if ! getent group nixbld >/dev/null; then
  # 30000 is the Nix installer's group id; --system picks another one when it is taken
  groupadd --system --gid 30000 nixbld 2>/dev/null || groupadd --system nixbld
  echo "build-users.sh: created group nixbld"
fi
nologin=$(command -v nologin || echo /usr/sbin/nologin)
for i in $(seq 1 "$count"); do
  user=nixbld$i
  if ! getent passwd "$user" >/dev/null; then
    useradd --system --no-create-home --home-dir /var/empty --shell "$nologin" \
      --gid nixbld --groups nixbld --comment "Nix build user $i" "$user"
  fi
  # a user made earlier outside the group builds nothing: Nix takes members of the group only
  id -nG "$user" | tr ' ' '\n' | grep -qx nixbld || usermod -a -G nixbld "$user"
done
