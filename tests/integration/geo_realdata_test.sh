#!/bin/bash
# pathmap geolocate reads what pathmap graph reads (issue 17): every IPv4
# file of the real corpus in ../shared/realdata (Atlas, scamper, mtr,
# traceroute text) is geolocated with one geolocated.jsonl line per trace
# the graph reader finds in it (profiles.jsonl lines), each with a PCS score,
# every hop naming its sources or why it stayed unplaced, summary.json adding up;
# files with no IPv4 trace, and the truncated one, get one line and exit 2.
# No root, no network.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
PY=/usr/bin/python3
REAL=${PATHMAP_REALDATA:-$SRC/../shared/realdata}
[ -d "$REAL/atlas" ] || { echo "FAIL: no real data at $REAL"; exit 1; }
WORK=$(mktemp -d /tmp/pm-geo-real.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail=0 located=0 refused=0 i=0
for f in "$REAL"/atlas/* "$REAL"/scamper/*.json* "$REAL"/mtr/* "$REAL"/traceroute/*; do
    case "$f" in *.md) continue ;; esac
    i=$((i + 1))
    g="$WORK/g$i" o="$WORK/o$i"
    if "$BIN" graph "$f" --no-png --no-location -o "$g" >/dev/null 2>&1; then
        want=$(grep -c . "$g/profiles.jsonl")
        if ! "$BIN" geolocate "$f" -o "$o" >"$WORK/err" 2>&1; then
            echo "FAIL: $(basename "$f"): graph read $want traces, geolocate refused: $(tail -1 "$WORK/err")"; fail=1; continue
        fi
        if ! $PY - "$o" "$want" <<'PY'; then echo "FAIL: $(basename "$f")"; fail=1; continue; fi
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1] + "/geolocated.jsonl") if l.strip()]
summary = json.load(open(sys.argv[1] + "/summary.json"))
want = int(sys.argv[2])
ok = len(lines) == want and all(isinstance(r.get("pcs"), (int, float)) and "hops" in r for r in lines)
if not ok:
    print(f"  {len(lines)} geolocated lines, graph read {want} traces")
# Every hop names what placed it, or why nothing did; the summary adds up.
hops = [h for r in lines for h in r["hops"]]
why = {"placed": 0, "silent": 0, "no_evidence": 0}
for h in hops:
    if h.get("city") is not None or h.get("lat") is not None:
        ok = ok and bool(h.get("sources")); why["placed"] += 1
    else:
        ok = ok and h.get("unplaced") in ("silent", "no_evidence"); why[h.get("unplaced", "no_evidence")] += 1
    ok = ok and (h["addr"] is None) == (h.get("unplaced") == "silent")
got = {"placed": summary["hops_placed"], **summary["hops_unplaced"]}
if got != why or summary["traces"] != len(lines):
    print(f"  summary {summary} does not add up to the hops {why}"); ok = False
sys.exit(0 if ok else 1)
PY
        located=$((located + 1))
    else
        # What graph refuses, geolocate refuses too: one line, exit 2.
        "$BIN" geolocate "$f" -o "$o" >"$WORK/err" 2>&1
        rc=$?
        lines=$(grep -vc '^warning:' "$WORK/err")
        if [ "$rc" != 2 ] || [ "$lines" != 1 ]; then
            echo "FAIL: $(basename "$f"): graph refuses it, geolocate exit $rc with $lines lines:"; cat "$WORK/err"; fail=1
        fi
        refused=$((refused + 1))
    fi
done
echo "geolocated $located files, $refused refused as graph refuses them"
[ "$located" -ge 55 ] || { echo "FAIL: fewer than 55 corpus files geolocated"; fail=1; }
[ $fail = 0 ] && echo "geo_realdata_test: ok" || echo "geo_realdata_test: FAILED"
exit $fail
