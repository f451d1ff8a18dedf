#!/bin/bash
# One sweep, two builds, side by side on one default testbed: every address
# of 198.19.0.0/16 (--all-hosts) and one address per /24 (the default),
# alternating OLD and NEW runs so machine load hits both alike. Reports wall
# time, probes, interfaces and links found, the busiest 10 ms of sending
# where the build reports it, and peak RSS.
# Usage: bench/sweep_vs_build.sh OLD_PATHMAP NEW_PATHMAP [REPS] [RATE]
# Needs root; every packet stays inside the testbed's namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
OLD=${1:?old pathmap binary}
NEW=${2:?new pathmap binary}
REPS=${3:-2}
RATE=${4:-100000}
NAME=svb$$
NAME=${NAME:0:10}
OUT=$(mktemp -d /tmp/pm-sweep-vs.XXXXXX)
TB="$SRC/scripts/testbed"
trap '"$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM
"$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; exit 1; }
echo "load: $(uptime)"
for mode in all-hosts per-24; do
    extra=(); [ "$mode" = all-hosts ] && extra=(--all-hosts)
    for rep in $(seq "$REPS"); do
        for build in old new; do
            bin=$OLD; [ "$build" = new ] && bin=$NEW
            d="$OUT/$mode-$build-$rep"
            s=$(date +%s.%N)
            timeout 600 "$TB" exec --name "$NAME" -- /usr/bin/time -f "%M" -o "$d.rss" "$bin" sweep 198.19.0.0/16 "${extra[@]}" \
                --allow 198.18.0.0/15 --rate "$RATE" -q --no-graph -o "$d" >/dev/null 2>"$d.err" || { echo "$build $mode failed"; tail -3 "$d.err"; }
            e=$(date +%s.%N)
            /usr/bin/python3 - "$d" "$build" "$mode" "$(echo "$e - $s" | bc)" "$(tail -1 "$d.rss")" <<'PY'
import json, sys
d, build, mode, wall, rss = sys.argv[1:6]
s = json.load(open(d + "/summary.json"))
tx = s.get("tx_stats", {})
print(f"{mode:9s} {build}: wall {float(wall):6.2f} s  probes {s['probes_sent']:7d} ({s['probes_per_target']:.2f}/target)  "
      f"interfaces {s['interfaces']}  links {s['links']}  reached {s['targets_reached']}  pacer_lost {tx.get('pacer_lost', '-')}  "
      f"peak RSS {int(rss) // 1024} MiB  load {open('/proc/loadavg').read().split()[0]}")
PY
        done
    done
done
