#!/usr/bin/env bash
# Runs every Qubix benchmark (about 10 minutes on 2 cores under TCG) and rewrites
# qubix-bench/results/*.json. Usage: qubix-bench/run.sh [api|status|build|recreate|boot]...
set -euo pipefail
cd "$(dirname "$0")/.."
export NIX_CONFIG="substituters =
experimental-features = nix-command flakes"
mvn -B -q -DskipTests install
cp="qubix-bench/target/classes:$(cat qubix-bench/target/classpath.txt)"
if [ $# -eq 0 ] || [[ " $* " == *" api "* ]]; then
  echo "== 5. in-process API overhead (JMH)"
  java -cp "$cp" org.openjdk.jmh.Main -f 1 -wi 2 -w 1s -i 3 -r 1s -rf json -rff qubix-bench/results/api-overhead.json ApiBenchmarks
fi
if [ $# -eq 0 ] || [[ " $* " != " api " ]]; then
  echo "== 1-4. whole operations"
  java -cp "$cp" dev.qubix.bench.Benchmarks "$@"
fi
