#!/usr/bin/env bash
# pathmap geolocate on RIPE Atlas JSON at the PCS paper's scale (413,354
# traceroutes, one result per line, the paper's format) against the same
# traces as traces.jsonl, side by side in one run, each end to end as a user
# runs it (read, libloc lookups, decode on 2 threads, write results).
# The results are the 46 real IPv4 Atlas results of ../shared/realdata/atlas
# repeated with distinct prb_ids and timestamps (real addresses, so libloc
# answers as it would), written once to a scratch directory; no network.
#   bench/geo_atlas_run.sh [PATHMAP_BIN] [TRACES]   (default build/bin/pathmap, 413354)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build/bin/pathmap}
n=${2:-413354}
real=${PATHMAP_REALDATA:-$src/../shared/realdata}
if [ -n "${BENCH_OUT:-}" ]; then out=$BENCH_OUT; mkdir -p "$out"; else
    out=$(mktemp -d /tmp/pm-geo-atlas.XXXXXX); trap 'rm -rf "$out"' EXIT; fi
[ -x "$bin" ] || { echo "geo_atlas_run: no pathmap at $bin (scripts/build.sh release)" >&2; exit 2; }
/usr/bin/python3 - "$real/atlas" "$n" "$out" <<'PY'
import glob, json, sys
folder, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
results = []
for f in sorted(glob.glob(folder + "/*")):
    text = open(f).read().strip()
    try:
        d = json.loads(text)
        rs = d if isinstance(d, list) else [d]
    except ValueError:
        rs = [json.loads(l) for l in text.splitlines() if l.strip()]
    results += [r for r in rs if r.get("af") == 4 and r.get("dst_addr")]
# The same traces in pathmap's traces.jsonl: per hop the first reply with an
# RTT (pathmap's Atlas reader keeps the fastest; the cost is the same).
def trace_of(r):
    hops = []
    for h in r.get("result", []):
        if not isinstance(h, dict) or "hop" not in h:
            continue
        rep = [x for x in h.get("result", []) if isinstance(x, dict) and "from" in x and "rtt" in x and ":" not in x["from"]]
        if rep:
            hops.append({"ttl": h["hop"], "addr": rep[0]["from"], "rtt_ms": rep[0]["rtt"]})
        else:
            hops.append({"ttl": h["hop"]})
    reached = any(x.get("addr") == r["dst_addr"] for x in hops)
    return {"dst": r["dst_addr"], "flow_id": 0, "reached": reached, "stop_reason": "reached" if reached else "gap_limit", "hops": hops}
with open(out + "/atlas.jsonl", "w") as a, open(out + "/traces.jsonl", "w") as t:
    for i in range(n):
        r = dict(results[i % len(results)])
        r["prb_id"] = 100000 + i
        r["timestamp"] = r.get("timestamp", 0) + i
        a.write(json.dumps(r, separators=(",", ":")) + "\n")
        t.write(json.dumps(trace_of(r), separators=(",", ":")) + "\n")
print(f"{n} results from {len(results)} real ones: atlas.jsonl, traces.jsonl")
PY
ls -l --block-size=M "$out/atlas.jsonl" "$out/traces.jsonl" | awk '{print $5, $9}'
echo "load: $(uptime)"
run() { # NAME FILE [geolocate options]
    local name=$1 file=$2; shift 2
    set -- "$name" "$file" "$@"
    /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KiB peak RSS" "$bin" geolocate "$file" --threads 2 "${@:3}" -o "$out/$1" \
        2>"$out/$1.err" >/dev/null || { cat "$out/$1.err"; exit 1; }
    echo "$1: $(tail -1 "$out/$1.err"), $(du -m "$out/$1/geolocated.jsonl" | cut -f1) MB written; $(/usr/bin/python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(s['traces'], 'traces,', s['hops_placed'], 'hops placed, unplaced', s['hops_unplaced'])" "$out/$1/summary.json")"
}
# Alternating, ROUNDS (default 2) times each: the machine is noisy, the ratio is the result.
for round in $(seq "${ROUNDS:-2}"); do
    run atlas "$out/atlas.jsonl"
    run atlas-slim "$out/atlas.jsonl" --no-candidates
    run traces "$out/traces.jsonl"
    run traces-slim "$out/traces.jsonl" --no-candidates
done
