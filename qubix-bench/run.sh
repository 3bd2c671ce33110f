#!/usr/bin/env bash
# Runs every Qubix benchmark (the five in BENCHMARKS.md took 3 min 29 s on 2 cores under TCG) and rewrites
# qubix-bench/results/*.json; the tables go to stdout.
#   qubix-bench/run.sh [api|status|cli|statcache|build|recreate|boot|homebackup|nspawn]...     (default: all nine)
# Needs nix, qemu-system-x86_64, qemu-img and the Debian packages testing/tiny-guest uses;
# nspawn also needs root, systemd-nspawn (systemd-container) and slirp4netns.
# Not part of `mvn verify`: the reliability suite is (qubix-bench/src/test).
set -euo pipefail
cd "$(dirname "$0")/.."
# the binary cache is unreachable here; everything the tiny flake needs is local
export NIX_CONFIG="substituters =
experimental-features = nix-command flakes"
[ "${QUBIX_BENCH_SKIP_BUILD:-0}" = 1 ] || mvn -B -q -DskipTests -pl qubix-bench -am package
cp="qubix-bench/target/classes:$(cat qubix-bench/target/classpath.txt)"
if [ $# -eq 0 ] || [[ " $* " == *" api "* ]]; then
  echo "== 5. in-process API overhead (JMH, ops/s)"
  java -cp "$cp" org.openjdk.jmh.Main -f 1 -wi 3 -w 1s -i 5 -r 2s -rf json -rff qubix-bench/results/api-overhead.json ApiBenchmarks
fi
whole=()
for a in "$@"; do [ "$a" = api ] || whole+=("$a"); done
if [ $# -eq 0 ] || [ ${#whole[@]} -gt 0 ]; then
  echo "== 1-4. whole operations"
  java -cp "$cp" dev.qubix.bench.Benchmarks ${whole[@]+"${whole[@]}"}
fi
