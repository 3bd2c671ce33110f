#!/usr/bin/env bash
# End-to-end check of the tiny guest under QEMU (TCG): builds the flake, boots
# RUNS times against one fresh home disk, checks the boot counter, the X.224
# answer and QMP system_powerdown, and prints boot-to-ready times.
#   selftest.sh [RUNS]      (env QEMU_ACCEL=kvm to try KVM)
set -euo pipefail
RUNS=${1:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=$(mktemp -d /tmp/qubix-tiny-selftest.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$HERE/make-tiny-flake.sh" "$W/flake" >/dev/null
DIRECT=$(NIX_CONFIG='substituters =' nix --extra-experimental-features 'nix-command flakes' \
  build --no-link --json "path:$W/flake#tiny-direct" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["outputs"]["out"])')
qemu-img create -q -f qcow2 "$W/home.qcow2" 64M
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
times=()
for i in $(seq 1 "$RUNS"); do
  rm -f "$W/serial.log" "$W/qmp.sock"
  t0=$(date +%s%N)
  "$HERE/boot-by-hand.sh" "$DIRECT" "$W/home.qcow2" "$PORT" "$W/serial.log" "$W/qmp.sock" &
  QPID=$!
  python3 - "$PORT" "$W/qmp.sock" <<'PY'
import socket, sys, time, json
port, qmp = int(sys.argv[1]), sys.argv[2]
req = bytes([3,0,0,19, 14,0xe0,0,0,0,0,0, 1,0,8,0,3,0,0,0])
want = bytes.fromhex("0300000b06d00000123400")
deadline = time.time() + 120
while True:
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            s.sendall(req)
            while len(data) < len(want):
                c = s.recv(64)
                if not c: break
                data += c
    except OSError:
        pass
    if data == want: break
    if time.time() > deadline: sys.exit("no X.224 answer")
    time.sleep(0.05)
s = socket.socket(socket.AF_UNIX); s.connect(qmp); f = s.makefile("rwb"); f.readline()
for cmd in ("qmp_capabilities", "system_powerdown"):
    f.write((json.dumps({"execute": cmd}) + "\n").encode()); f.flush(); f.readline()
PY
  t1=$(date +%s%N)
  for _ in $(seq 100); do kill -0 $QPID 2>/dev/null || break; sleep 0.1; done
  t2=$(date +%s%N)
  if kill -0 $QPID 2>/dev/null; then kill $QPID; echo "FAIL: qemu did not exit after system_powerdown" >&2; exit 1; fi
  wait $QPID || true
  count=$(sed -n 's/^QUBIX-BOOT-COUNT=\([0-9]*\).*/\1/p' "$W/serial.log" | tr -d '\r')
  grep -q QUBIX-POWEROFF "$W/serial.log" || { echo "FAIL: no QUBIX-POWEROFF" >&2; cat "$W/serial.log"; exit 1; }
  [ "$count" = "$i" ] || { echo "FAIL: boot $i printed count '$count'" >&2; cat "$W/serial.log"; exit 1; }
  ms=$(( (t1 - t0) / 1000000 )); times+=("$ms")
  echo "boot $i: QUBIX-BOOT-COUNT=$count, boot-to-ready ${ms} ms, powerdown-to-exit $(( (t2 - t1) / 1000000 )) ms"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median boot-to-ready: " a[int((NR+1)/2)] " ms"}'
echo OK
