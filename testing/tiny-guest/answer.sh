#!/bin/sh
# Run by `nc -ll -e` per TCP connection on 3389 (stdin/stdout = socket).
# Reads one TPKT packet (X.224 Connection Request) and answers with a
# TPKT + X.224 Connection Confirm: 03 00 00 0b 06 d0 00 00 12 34 00.
hdr=$(dd bs=1 count=4 2>/dev/null | od -An -tu1)
set -- $hdr
[ "$1" = 3 ] || exit 0
len=$(( $3 * 256 + $4 ))
[ "$len" -gt 4 ] && dd bs=1 count=$((len - 4)) of=/dev/null 2>/dev/null
printf '\003\000\000\013\006\320\000\000\022\064\000'
