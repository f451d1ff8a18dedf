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
why = {"placed": 0, "silent": 0, "no_evidence": 0, "no_rtt": 0, "infeasible": 0}
for h in hops:
    if h.get("city") is not None or h.get("lat") is not None:
        ok = ok and bool(h.get("sources")); why["placed"] += 1
    else:
        ok = ok and h.get("unplaced") in ("silent", "no_evidence", "no_rtt", "infeasible"); why[h.get("unplaced", "no_evidence")] += 1
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

# The registry country (issue 12): by default each public hop's country
# comes from the system libloc database, and a hop placed on that evidence
# alone (precision "country") lies in the country libloc's own
# `location lookup` gives for its address; --no-location takes it away.
command -v location >/dev/null || { echo "FAIL: libloc's location tool missing (scripts/setup.sh installs it)"; exit 1; }
atlas=$REAL/atlas/ram_3082698_all_results_array.json
"$BIN" geolocate "$atlas" -o "$WORK/reg" >/dev/null 2>&1 || { echo "FAIL: geolocate $atlas"; fail=1; }
"$BIN" geolocate "$atlas" -o "$WORK/noreg" --no-location >/dev/null 2>&1 || { echo "FAIL: geolocate --no-location"; fail=1; }
$PY - "$WORK/reg" "$WORK/noreg" <<'PY' || fail=1
import json, subprocess, sys
def hops(d):
    return [h for l in open(d + "/geolocated.jsonl") if l.strip() for h in json.loads(l)["hops"]]
reg, noreg = hops(sys.argv[1]), hops(sys.argv[2])
summary = json.load(open(sys.argv[1] + "/summary.json"))
by_registry = [h for h in reg if h.get("precision") == "country" and "registry" in h.get("sources", [])]
names = {}
for line in subprocess.run(["location", "list-countries", "--show-name"], capture_output=True, text=True).stdout.splitlines():
    cc, _, name = line.partition(" ")
    names[name.strip()] = cc
addrs = sorted({h["addr"] for h in by_registry})
ref, cur = {}, None
for line in subprocess.run(["location", "lookup", *addrs], capture_output=True, text=True).stdout.splitlines():
    if not line.startswith(" ") and line.endswith(":"):
        cur = line[:-1]
    elif cur and line.strip().startswith("Country"):
        ref[cur] = names.get(line.split(":", 1)[1].strip(), "?")
wrong = [(h["addr"], h["country"], ref.get(h["addr"])) for h in by_registry if ref.get(h["addr"]) != h["country"]]
ok = True
if len(by_registry) < 20 or wrong:
    print(f"FAIL: {len(by_registry)} hops placed by registry country, {len(wrong)} outside libloc's country: {wrong[:5]}")
    ok = False
if summary["location"]["country_looked_up"] < len(addrs) or summary["hops_country_level"] < len(by_registry):
    print(f"FAIL: summary {summary['location']}, {summary['hops_country_level']} country-level, want >= {len(by_registry)}")
    ok = False
if any("registry" in h.get("sources", []) for h in noreg) or "database" not in json.load(open(sys.argv[2] + "/summary.json"))["location"]:
    print("FAIL: --no-location still used registry countries"); ok = False
print(f"registry country: {len(by_registry)} hops placed by it alone, all in libloc's country for their address; "
      f"{sum(1 for h in noreg if h.get('city'))} placed without it, {sum(1 for h in reg if h.get('city'))} with")
sys.exit(0 if ok else 1)
PY
[ "$located" -ge 55 ] || { echo "FAIL: fewer than 55 corpus files geolocated"; fail=1; }

# --probes (issue 17): RIPE Atlas results start at their own probe. The
# table lists some of the file's probes (placed in Milan for the test); their
# traces say vantage_known with their prb_id, the others say they had none.
printf 'prb_id,lat,lon,country\n713,45.4643,9.1895,IT\n738,45.4643,9.1895,IT\n12120,45.4643,9.1895,IT\n' > "$WORK/probes.csv"
"$BIN" geolocate "$atlas" -o "$WORK/probes" --probes "$WORK/probes.csv" > "$WORK/probes.log" 2>&1 || { echo "FAIL: geolocate --probes"; cat "$WORK/probes.log"; fail=1; }
$PY - "$WORK/probes" "$atlas" <<'PY' || fail=1
import json, sys
out, atlas = sys.argv[1], sys.argv[2]
listed = {"713", "738", "12120"}
want = [str(r["prb_id"]) for r in json.load(open(atlas)) if r.get("af", 4) == 4 and r.get("result")]
lines = [json.loads(l) for l in open(out + "/geolocated.jsonl") if l.strip()]
got = [(l.get("vantage_id"), l["vantage_known"]) for l in lines]
# A result whose paths branch gives one trace per branch, each with its prb_id.
ok = {v for v, _ in got} == set(want) and all(k == (v in listed) for v, k in got)
s = json.load(open(out + "/summary.json"))["vantage"]
n_listed = sum(1 for v, _ in got if v in listed)
ok = ok and s == {"from_probes": n_listed, "probes_unlisted": len(got) - n_listed, "unknown": len(got) - n_listed}
# The first hop of a listed probe's trace has its city as an anchor
# candidate (when within the anchor's 10 ms RTT reach: most are).
first = [l["hops"][0] for l in lines if l["vantage_known"] and l["hops"]]
anchored = sum(1 for h in first if any(c["city"] == "Milano" and "anchor" in c["sources"] for c in h.get("candidates", [])))
unlisted_anchor = sum(1 for l in lines if not l["vantage_known"] for h in l["hops"] for c in h.get("candidates", []) if "anchor" in c["sources"])
ok = ok and anchored >= 3 and unlisted_anchor == 0
print(f"--probes: {n_listed} of {len(got)} traces start at their probe ({anchored} first hops anchored there); summary {s}")
sys.exit(0 if ok else 1)
PY
grep -q "have no known vantage" "$WORK/probes.log" || { echo "FAIL: geolocate did not say which traces had no vantage"; fail=1; }
printf '713,45.4643\n' > "$WORK/bad-probes.csv"
"$BIN" geolocate "$atlas" -o "$WORK/bad" --probes "$WORK/bad-probes.csv" > "$WORK/bad.log" 2>&1
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$WORK/bad.log")" = 1 ] || { echo "FAIL: a bad --probes file: exit $rc, $(wc -l < "$WORK/bad.log") lines"; cat "$WORK/bad.log"; fail=1; }
[ $fail = 0 ] && echo "geo_realdata_test: ok" || echo "geo_realdata_test: FAILED"
exit $fail
