#!/bin/bash
# End-to-end sweep benchmark: pathmap against the testbed's ground truth and
# against Debian's scamper (-p 10000, trace -P icmp-paris) on the same
# targets in the same run, for a series of target sets of 198.19.0.0/16:
#   K      K random addresses per /24 (K = 1: one per /24, the default sampling)
#   all    every address of the /16 (pathmap --all-hosts; scamper gets them shuffled)
#   rN     N random addresses of the /16 (the older benchmark's sample)
# For each: probes, probes per target, wall time, interface and link recall,
# stop reasons per target vs scamper's. With BASELINE=1 (default) pathmap
# also runs with --scouts 0 (every address traced on its own: the sweep
# before per-/24 knowledge). Ends with a plot of probes per target against
# targets per /24 (bench/sweep_plot.py, matplotlib).
# scamper's runs are cut after SC_TIMEOUT seconds each (default 900; 0 skips
# scamper) and compared on what it finished.
# Usage: [TOPO=FILE] [SERIES="1 8 64 all"] [BASELINE=0] bench/sweep_bench.sh [SAMPLE] [RATE]
#   SAMPLE given and SERIES unset: SERIES="rSAMPLE all" (the older benchmark).
# pathmap writes its graph outputs (as a user would) unless NO_GRAPH=1.
# Needs root; everything runs inside the testbed's namespaces.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
TOPO=${TOPO:-$SRC/tests/topologies/default.json}
SAMPLE=${1:-}
RATE=${2:-100000}
if [ -z "${SERIES:-}" ]; then
    if [ -n "$SAMPLE" ]; then SERIES="r$SAMPLE all"; else SERIES="1 8 64 all"; fi
fi
BASELINE=${BASELINE:-1}
SC_TIMEOUT=${SC_TIMEOUT:-${SC_FULL_TIMEOUT:-900}}
GRAPH=--no-graph
[ "${NO_GRAPH:-0}" = 1 ] || GRAPH=
NAME=swb$$
NAME=${NAME:0:10}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/pm-sweep-bench.XXXXXX)}
mkdir -p "$OUT"
TB="$SRC/scripts/testbed"
TOPO_NAME=$(basename "$TOPO" .json)
trap '"$TB" down --name "$NAME" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
"$TB" up "$TOPO" --name "$NAME" >"$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
ex() { "$TB" exec --name "$NAME" -- "$@"; }
now() { date +%s.%N; }
load() { uptime | sed 's/.*load/load/'; }
echo "topology $TOPO, rate $RATE, series: $SERIES ($(load))"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

# targets FILE SPEC: the addresses of SPEC, one a line, shuffled (scamper
# probes in file order; pathmap sorts them and permutes itself).
targets() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import ipaddress, random, sys
out, spec = sys.argv[1], sys.argv[2]
base = int(ipaddress.ip_address("198.19.0.0"))
rnd = random.Random(spec)
if spec == "all":
    a = list(range(65536))
elif spec.startswith("r"):
    a = rnd.sample(range(65536), int(spec[1:]))
else:
    k = int(spec)
    a = [p * 256 + h for p in range(256) for h in rnd.sample(range(1, 255), min(k, 254))]
rnd.shuffle(a)
with open(out, "w") as f:
    for x in a:
        f.write(f"{ipaddress.ip_address(base + x)}\n")
EOF
}

for spec in $SERIES; do
    case $spec in
        all) per24=256; pm_args=(198.19.0.0/16 --all-hosts) ;;
        r*) per24=$(echo "scale=2; ${spec#r} / 256" | bc); pm_args=(-f "$OUT/$spec.txt") ;;
        *) per24=$spec; pm_args=(-f "$OUT/$spec.txt") ;;
    esac
    targets "$OUT/$spec.txt" "$spec"
    n=$(wc -l <"$OUT/$spec.txt")
    echo
    echo "== $spec: $n targets ($per24 per /24) ($(load))"
    runs=(pathmap)
    [ "$BASELINE" = 1 ] && runs+=(scouts0)
    for run in "${runs[@]}"; do
        extra=()
        [ "$run" = scouts0 ] && extra=(--scouts 0)
        s=$(now)
        ex "$BIN" sweep "${pm_args[@]}" --allow 198.18.0.0/15 --rate "$RATE" -q $GRAPH "${extra[@]}" \
            -o "$OUT/$spec-$run" 2>"$OUT/$spec-$run.log" || { tail -5 "$OUT/$spec-$run.log"; echo "FAIL: pathmap"; }
        echo "$(echo "$(now) - $s" | bc)" >"$OUT/$spec-$run.wall"
    done
    sc_args=()
    if [ "$SC_TIMEOUT" -gt 0 ]; then
        s=$(now)
        ex timeout -s INT "$SC_TIMEOUT" scamper -c 'trace -P icmp-paris' -p 10000 -O warts -o "$OUT/$spec-sc.warts" \
            -f "$OUT/$spec.txt"
        sc_s=$(echo "$(now) - $s" | bc)
        sc_warts2json "$OUT/$spec-sc.warts" >"$OUT/$spec-sc.json"
    fi
    for run in "${runs[@]}"; do
        label=pathmap
        [ "$run" = scouts0 ] && label="pathmap --scouts 0"
        echo "-- $label"
        sc_args=()
        [ "$SC_TIMEOUT" -gt 0 ] && sc_args=("$OUT/$spec-sc.json" "$(cat "$OUT/$spec-$run.wall")" "$sc_s" "$n")
        COVERAGE_JSON="$RESULTS" PATHMAP_LABEL="$label" \
            COVERAGE_TAGS="{\"topology\": \"$TOPO_NAME\", \"series\": \"$spec\", \"per_24\": $per24, \"pathmap_wall_s\": $(cat "$OUT/$spec-$run.wall")}" \
            /usr/bin/python3 "$SRC/bench/sweep_coverage.py" "$TRUTH" "$OUT/$spec-$run" "${sc_args[@]}"
        /usr/bin/python3 -c "
import json; s = json.load(open('$OUT/$spec-$run/summary.json'))
print('   sweep', round(s['duration_s'], 2), 's, phases', {k: round(v, 2) for k, v in s['phase_s'].items()},
      'probes by phase', s['probes_by_phase'], 'followers', s.get('prefix_knowledge', {}).get('followers'))"
    done
done
echo
/usr/bin/python3 "$SRC/bench/sweep_plot.py" "$OUT/sweep_per24.png" "$RESULTS" && echo "plot: $OUT/sweep_per24.png"
echo "load: $(uptime)"
echo "outputs in $OUT"
