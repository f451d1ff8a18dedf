#!/bin/bash
# Reverse DNS throughput against the default testbed's dnsmasq: `pathmap
# graph --rdns` on a traces.jsonl with N distinct router addresses (10.x,
# mostly without a PTR record: NXDOMAIN is an answer too) minus the same
# command without --rdns, run alternately in the prober namespace; then a
# sweep of the testbed's /16 with names (the default) vs --rdns none.
# Usage: bench/rdns_bench.sh [N] [REPS]   (root; packets stay in the testbed)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
N=${1:-10000}
REPS=${2:-3}
NAME=rdb$$
NAME=${NAME:0:10}
OUT=$(mktemp -d /tmp/pm-rdns-bench.XXXXXX)
TB="$SRC/scripts/testbed"
trap '"$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM
"$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; exit 1; }
/usr/bin/python3 - "$N" >"$OUT/traces.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
for i in range(0, n, 8):  # 8 distinct router addresses per trace
    hops = [{"ttl": k + 1, "addr": f"10.{(i + k) >> 16 & 255}.{(i + k) >> 8 & 255}.{(i + k) & 255}", "rtt_ms": 1.0} for k in range(8)]
    print(json.dumps({"dst": f"198.19.{i >> 8 & 255}.{i & 255}", "hops": hops}))
PY
ex() { "$TB" exec --name "$NAME" -- "$@"; }
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "load: $(uptime)"
for r in $(seq "$REPS"); do
    plain=$(t ex "$BIN" graph "$OUT/traces.jsonl" --no-png -o "$OUT/g0")
    named=$(t ex "$BIN" graph "$OUT/traces.jsonl" --no-png --rdns -o "$OUT/g1")
    echo "graph, $N distinct addresses: without --rdns ${plain} s, with ${named} s: rDNS took $(echo "$named - $plain" | bc) s"
done
for r in $(seq "$REPS"); do
    none=$(t ex "$BIN" sweep 198.19.0.0/16 --allow 198.18.0.0/15 --rate 10000 -q --no-graph --rdns none -o "$OUT/s0")
    names=$(t ex "$BIN" sweep 198.19.0.0/16 --allow 198.18.0.0/15 --rate 10000 -q --no-graph -o "$OUT/s1")
    echo "sweep of the /16 (one address per /24): --rdns none ${none} s, names (default) ${names} s: ratio $(echo "scale=3; $names / $none" | bc)"
done
/usr/bin/python3 -c "import json,sys; print('graph rdns summary: named', sum(1 for l in open(sys.argv[1]) if 'rdns' in l))" "$OUT/g1/topology.graphml"
