# Sourced by hyperv-kvp-credential.nix (and by tests/check.sh, on made-up pools).
#
# qubix_kvp_credential POOL KEY OUT WAIT_SECONDS
# Copies the value of the KVP item KEY from hv_kvp_daemon's pool file POOL to OUT (0600, through a
# temporary file in OUT's folder), waiting up to WAIT_SECONDS for it to appear. Returns 0 when it
# copied the value, 1 when the item never came (the caller then leaves RDP login locked).
#
# The pool is an array of fixed records, struct kvp_record { char key[512]; char value[2048]; }
# (HV_KVP_EXCHANGE_MAX_KEY_SIZE, HV_KVP_EXCHANGE_MAX_VALUE_SIZE; Linux tools/hv/hv_kvp_daemon.c and
# include/uapi/linux/hyperv.h; Microsoft's "Data Exchange" article shows the same struct). Key and
# value are NUL-terminated UTF-8; the bytes after the NUL are not cleared (the daemon memcpy()s into a
# reused buffer), so everything from the first NUL on is ignored. The daemon rewrites the whole file
# when the host changes an item: a value is taken once two reads agree.
#
# The value only ever flows through pipes into OUT: never an argument or a variable of a process.
qubix_kvp_credential() {
  pool=$1 key=$2 out=$3 wait=$4
  record=2560
  deadline=$(($(date +%s) + wait))
  umask 077
  mkdir -p "$(dirname "$out")"
  tmp="$out.tmp"
  while :; do
    if [ -f "$pool" ]; then
      count=$(($(stat -c %s "$pool") / record))
      i=0
      while [ "$i" -lt "$count" ]; do
        name=$(dd if="$pool" bs="$record" skip="$i" count=1 2>/dev/null | head -c 512 | tr '\0' '\n' | head -n 1)
        if [ "$name" = "$key" ]; then
          dd if="$pool" bs="$record" skip="$i" count=1 2>/dev/null | tail -c 2048 | tr '\0' '\n' | head -n 1 > "$tmp"
          sleep 0.2
          if [ -s "$tmp" ] && dd if="$pool" bs="$record" skip="$i" count=1 2>/dev/null | tail -c 2048 | tr '\0' '\n' \
            | head -n 1 | cmp -s - "$tmp"; then
            mv -f "$tmp" "$out"
            return 0
          fi
        fi
        i=$((i + 1))
      done
    fi
    rm -f "$tmp"
    if [ "$(date +%s)" -ge "$deadline" ]; then
      return 1
    fi
    sleep 1
  done
}
