#!/bin/bash
# End-to-end sweep benchmark on tests/topologies/default.json: pathmap over
# every address of 198.19.0.0/16 against the ground truth, and pathmap vs
# Debian's scamper (-p 10000, trace -P icmp-paris) on the same targets in the
# same run: a random sample, then the whole /16. scamper traces about 35
# targets/s here, so its /16 run is cut after SC_FULL_TIMEOUT seconds
# (default 900; 0 skips it) and compared on what it finished.
# Usage: bench/sweep_bench.sh [SAMPLE] [RATE]
# Needs root; everything runs inside the testbed's namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
SAMPLE=${1:-4096}
RATE=${2:-50000}
SC_FULL_TIMEOUT=${SC_FULL_TIMEOUT:-900}
NAME=swb$$
NAME=${NAME:0:10}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/pm-sweep-bench.XXXXXX)}
TB="$SRC/scripts/testbed"
trap '"$TB" down --name "$NAME" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
"$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
ex() { "$TB" exec --name "$NAME" -- "$@"; }

now() { date +%s.%N; }
echo "load: $(uptime)"

/usr/bin/python3 -c "
import random, ipaddress
random.seed(1)
for a in sorted(random.sample(range(65536), $SAMPLE)): print(ipaddress.ip_address(int(ipaddress.ip_address('198.19.0.0')) + a))
" >"$OUT/sample.txt"
echo "== same $SAMPLE random targets: pathmap (rate $RATE) vs scamper -p 10000"
s=$(now)
ex "$BIN" sweep -f "$OUT/sample.txt" --allow 198.18.0.0/15 --rate "$RATE" -q --no-graph -o "$OUT/sample-pm"
pm_s=$(echo "$(now) - $s" | bc)
s=$(now)
ex scamper -c 'trace -P icmp-paris' -p 10000 -O warts -o "$OUT/sample-sc.warts" -f "$OUT/sample.txt"
sc_s=$(echo "$(now) - $s" | bc)
sc_warts2json "$OUT/sample-sc.warts" >"$OUT/sample-sc.json"
/usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/sample-pm" "$OUT/sample-sc.json" "$pm_s" "$sc_s"

echo "== pathmap, all 65536 addresses of 198.19.0.0/16, rate $RATE (load: $(uptime | sed 's/.*load/load/'))"
s=$(now)
ex /usr/bin/time -v "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate "$RATE" -q --no-graph \
    -o "$OUT/full" 2>"$OUT/full.time"
pm_s=$(echo "$(now) - $s" | bc)
grep -E "Elapsed|Maximum resident" "$OUT/full.time"
/usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/full"

if [ "$SC_FULL_TIMEOUT" -gt 0 ]; then
    # Shuffled, so whatever scamper finishes before the timeout is a uniform sample.
    /usr/bin/python3 -c "
import random, ipaddress
random.seed(2)
a = list(range(65536)); random.shuffle(a)
for x in a: print(ipaddress.ip_address(int(ipaddress.ip_address('198.19.0.0')) + x))
" >"$OUT/all.txt"
    echo "== scamper -p 10000 on the same 65536 addresses (shuffled), cut after $SC_FULL_TIMEOUT s (load: $(uptime | sed 's/.*load/load/'))"
    s=$(now)
    ex timeout -s INT "$SC_FULL_TIMEOUT" scamper -c 'trace -P icmp-paris' -p 10000 -O warts -o "$OUT/full-sc.warts" -f "$OUT/all.txt"
    sc_s=$(echo "$(now) - $s" | bc)
    sc_warts2json "$OUT/full-sc.warts" >"$OUT/full-sc.json"
    /usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/full" "$OUT/full-sc.json" "$pm_s" "$sc_s" 65536
fi
echo "load: $(uptime)"
echo "outputs in $OUT"
