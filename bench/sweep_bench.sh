#!/bin/bash
# End-to-end sweep benchmark on tests/topologies/default.json: pathmap over
# every address of 198.19.0.0/16 against the ground truth, and pathmap vs
# Debian's scamper (-p 10000, trace -P icmp-paris) on the same random sample
# of targets, in the same run. Usage: bench/sweep_bench.sh [SAMPLE] [RATE]
# Needs root; everything runs inside the testbed's namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
SAMPLE=${1:-4096}
RATE=${2:-50000}
NAME=swb$$
NAME=${NAME:0:10}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/pm-sweep-bench.XXXXXX)}
TB="$SRC/scripts/testbed"
trap '"$TB" down --name "$NAME" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
"$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
ex() { "$TB" exec --name "$NAME" -- "$@"; }

echo "== pathmap, all 65536 addresses of 198.19.0.0/16, rate $RATE"
ex /usr/bin/time -v "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate "$RATE" -q --no-graph \
    -o "$OUT/full" 2>"$OUT/full.time"
grep -E "Elapsed|Maximum resident" "$OUT/full.time"
/usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/full"

/usr/bin/python3 -c "
import random, ipaddress
random.seed(1)
for a in sorted(random.sample(range(65536), $SAMPLE)): print(ipaddress.ip_address(int(ipaddress.ip_address('198.19.0.0')) + a))
" >"$OUT/sample.txt"
echo "== same $SAMPLE random targets: pathmap (rate $RATE) vs scamper -p 10000"
s=$(date +%s.%N)
ex "$BIN" sweep -f "$OUT/sample.txt" --allow 198.18.0.0/15 --rate "$RATE" -q --no-graph -o "$OUT/sample-pm"
e=$(date +%s.%N)
pm_s=$(echo "$e - $s" | bc)
s=$(date +%s.%N)
ex scamper -c 'trace -P icmp-paris' -p 10000 -O warts -o "$OUT/sample-sc.warts" -f "$OUT/sample.txt"
e=$(date +%s.%N)
sc_s=$(echo "$e - $s" | bc)
sc_warts2json "$OUT/sample-sc.warts" >"$OUT/sample-sc.json"
/usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/sample-pm" "$OUT/sample-sc.json" "$pm_s" "$sc_s"
echo "outputs in $OUT"
