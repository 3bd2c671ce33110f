#!/bin/sh
# Qubix tiny test container: /sbin/init of a busybox rootfs (runs as PID 1 under systemd-nspawn).
# Console markers, one per line: QUBIX-CREDENTIAL-SHA256=<hex> or QUBIX-NO-CREDENTIAL,
# QUBIX-BOOT-COUNT=<n> or QUBIX-NO-HOME, QUBIX-SYSTEM-MARKER=<n>, QUBIX-READY, QUBIX-POWEROFF.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# systemd-nspawn passes its kill signal (SIGTERM for a rootfs) to PID 1 when it is asked to stop.
# PID 1 of a namespace gets no signal it has no handler for, so the handler comes first: a stop
# that arrives while the container is still starting is not lost.
NC_PID=""
shutdown_now() {
  [ -n "$NC_PID" ] && kill "$NC_PID" 2>/dev/null
  cd /
  sync
  echo QUBIX-POWEROFF
  exit 0
}
trap shutdown_now TERM INT

# The RDP secret as systemd-nspawn hands it over (--load-credential): only its hash goes to the
# console, so the host can check what arrived.
CRED="${CREDENTIALS_DIRECTORY:-/run/host/credentials}/qubix.rdp-password"
if [ -r "$CRED" ]; then
  echo "QUBIX-CREDENTIAL-SHA256=$(sha256sum <"$CRED" | cut -d' ' -f1)"
else
  echo QUBIX-NO-CREDENTIAL
fi

# /home is the kept home folder, bound by systemd-nspawn: count the boots there.
if grep -q ' /home ' /proc/self/mounts; then
  n=$(cat /home/qubix-boot-count 2>/dev/null)
  case "$n" in ''|*[!0-9]*) n=0 ;; esac
  n=$((n + 1))
  echo "$n" >/home/qubix-boot-count.tmp && mv /home/qubix-boot-count.tmp /home/qubix-boot-count
  sync
  echo "QUBIX-BOOT-COUNT=$n"
else
  echo QUBIX-NO-HOME
fi

# The system layer: counts boots since the last recreate, which starts again from a fresh copy.
m=$(cat /var/qubix-system-marker 2>/dev/null)
case "$m" in ''|*[!0-9]*) m=0 ;; esac
m=$((m + 1))
echo "$m" >/var/qubix-system-marker
echo "QUBIX-SYSTEM-MARKER=$m"

# RDP stand-in: answer each X.224 Connection Request with a Connection Confirm (see ../tiny-guest/answer.sh).
nc -ll -p 3389 -e /bin/answer &
NC_PID=$!
i=0
while [ $i -lt 50 ] && ! netstat -ltn 2>/dev/null | grep -q ':3389 '; do
  sleep 0.1; i=$((i + 1))
done
echo QUBIX-READY

while :; do sleep 3600 & wait $!; done
