#!/bin/sh
# Qubix tiny test guest: /init of a busybox initramfs (runs as PID 1).
# Serial markers (on ttyS0): QUBIX-HOME-FORMATTED, QUBIX-BOOT-COUNT=<n>,
# QUBIX-NO-HOME, QUBIX-SYSTEM-MARKER=<n>, QUBIX-CREDENTIAL-SHA256=<hex> or
# QUBIX-NO-CREDENTIAL, QUBIX-READY, QUBIX-POWEROFF.
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

say() { echo "$*" >/dev/ttyS0; }

# Modules, already in dependency order (written by make-tiny-flake.sh).
while read -r m; do
  insmod "/lib/modules/$m.ko" 2>/dev/null
done </lib/modules/load.order

# The VM's RDP secret, as systemd reads credentials from QEMU's fw_cfg: only
# its hash goes to the console, so the host can check what arrived.
CRED=/sys/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/qubix.rdp-password/raw
if [ -r "$CRED" ]; then
  say "QUBIX-CREDENTIAL-SHA256=$(sha256sum <"$CRED" | cut -d' ' -f1)"
else
  say QUBIX-NO-CREDENTIAL
fi

# Virtio disks are scanned asynchronously: wait (up to ~3 s) until every
# disk that virtio_blk found shows its serial.
disk_with_serial() {
  for d in /sys/block/vd*; do
    [ -e "$d/serial" ] || continue
    if [ "$(cat "$d/serial" 2>/dev/null)" = "$1" ]; then echo "${d##*/}"; return 0; fi
  done
  return 1
}
i=0
while [ $i -lt 30 ]; do
  n_blk=$(grep -lx 'virtio:d00000002v.*' /sys/bus/virtio/devices/*/modalias 2>/dev/null | wc -l)
  n_vd=$(ls -d /sys/block/vd* 2>/dev/null | wc -l)
  [ "$n_vd" -ge "$n_blk" ] && break
  sleep 0.1; i=$((i + 1))
done

has_ext_fs() {  # ext2/3/4 superblock magic 0xEF53 at byte 1080
  [ "$(dd if="$1" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "53ef" ]
}

HOME_DEV=""
if h=$(disk_with_serial qubix-home); then
  HOME_DEV=/dev/$h
  if ! has_ext_fs "$HOME_DEV"; then
    mke2fs -q -L qubix-home "$HOME_DEV" >/dev/null 2>&1 || mke2fs -L qubix-home "$HOME_DEV"
    say QUBIX-HOME-FORMATTED
  fi
  mkdir -p /home
  if mount -t ext2 "$HOME_DEV" /home || mount -t ext4 "$HOME_DEV" /home; then
    n=$(cat /home/qubix-boot-count 2>/dev/null)
    case "$n" in ''|*[!0-9]*) n=0 ;; esac
    n=$((n + 1))
    echo "$n" >/home/qubix-boot-count.tmp && mv /home/qubix-boot-count.tmp /home/qubix-boot-count
    sync
    say "QUBIX-BOOT-COUNT=$n"
  else
    say QUBIX-HOME-MOUNT-FAILED
    HOME_DEV=""
  fi
else
  say QUBIX-NO-HOME
fi

# Optional system disk (tiny-disk variant): bump a marker on its FAT
# filesystem so tests can see writes land in the overlay, not the store image.
if s=$(disk_with_serial qubix-system); then
  mkdir -p /sysdisk
  if mount -t vfat "/dev/$s" /sysdisk 2>/dev/null || mount -t vfat "/dev/${s}1" /sysdisk 2>/dev/null; then
    m=$(cat /sysdisk/marker.txt 2>/dev/null | tr -dc 0-9)
    m=$((${m:-0} + 1))
    echo "$m" >/sysdisk/marker.txt
    sync
    umount /sysdisk
    say "QUBIX-SYSTEM-MARKER=$m"
  fi
fi

# Network: QEMU user networking defaults.
ifconfig lo 127.0.0.1 up
ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
route add default gw 10.0.2.2

# RDP stand-in: answer each X.224 Connection Request with a Connection Confirm.
nc -ll -p 3389 -e /bin/answer &
NC_PID=$!
i=0
while [ $i -lt 50 ] && ! netstat -ltn 2>/dev/null | grep -q ':3389 '; do
  sleep 0.1; i=$((i + 1))
done
say QUBIX-READY

shutdown_now() {
  kill "$NC_PID" 2>/dev/null
  cd /
  sync
  [ -n "$HOME_DEV" ] && umount /home
  sync
  say QUBIX-POWEROFF
  poweroff -f
}

# ACPI power button (QMP system_powerdown): button.ko exposes an input
# device named "Power Button"; evdev gives /dev/input/eventN. Block until
# it produces any event, then shut down.
ev=""
for d in /sys/class/input/input*; do
  [ "$(cat "$d/name" 2>/dev/null)" = "Power Button" ] || continue
  for e in "$d"/event*; do [ -e "$e" ] && ev="$ev /dev/input/${e##*/}"; done
done
trap shutdown_now USR1 TERM
for e in $ev; do
  (dd if="$e" of=/dev/null bs=24 count=1 2>/dev/null; kill -USR1 1) &
done
while :; do sleep 3600 & wait $!; done
