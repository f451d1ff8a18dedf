#!/usr/bin/env bash
# pathmap geolocate end to end on the paper's case studies (annotated input),
# a pathmap traces.jsonl with hostnames and table files, and bad input.
# No root, no network.
set -euo pipefail
: "${PATHMAP_BIN:?}" "${PATHMAP_SOURCE_DIR:?}"
data="$PATHMAP_SOURCE_DIR/tests/data/geo"
work=$(mktemp -d /tmp/pathmap-geo-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

# 1. Case studies: validated locations within 200 km, hop numbers kept.
cat "$data"/case_auckland_nuremberg_dbip.jsonl "$data"/case_zurich_indonesia.jsonl > "$work/cases.jsonl"
"$PATHMAP_BIN" geolocate "$work/cases.jsonl" -o "$work/out"
$py - "$work/out/geolocated.jsonl" <<'PY'
import json, math, sys
def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2-la1)/2)**2 + math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2*6371*math.asin(math.sqrt(h))
AKL, NUE = (-36.8485, 174.7633), (49.4521, 11.0767)
ZRH, SIN, SERANG = (47.3769, 8.5417), (1.2897, 103.8501), (-6.1149, 106.1502)
want = [[(1, AKL), (2, AKL), (3, AKL), (5, NUE)],
        [(1, ZRH), (2, ZRH), (3, ZRH), (4, ZRH), (5, SIN), (6, SIN), (7, SIN), (10, SERANG)]]
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
for r, w in zip(rows, want):
    for key in ("pcs", "alignment", "distance_km", "flagged_segments", "hops"):
        assert key in r, key
    assert [h["hop"] for h in r["hops"]] == [n for n, _ in w]
    for h, (n, loc) in zip(r["hops"], w):
        err = km((h["lat"], h["lon"]), loc)
        assert err < 200, f"hop {n}: {h['city']} is {err:.0f} km off"
        assert 0 < h["posterior"] <= 1.0000001
        assert h["candidates"] and all("sources" in c for c in h["candidates"])
print("case studies ok")
PY

# 2. pathmap traces.jsonl with hostnames, GeoDB/geofeed/IXP tables, vantage by name.
cat > "$work/traces.jsonl" <<'J'
{"dst":"87.245.231.9","flow_id":0,"reached":false,"stop_reason":"gap_limit","hops":[{"ttl":1,"addr":"194.242.34.201","rtt_ms":0.4,"icmp_type":11,"icmp_code":0,"reply_ttl":255,"quoted_ttl":1,"mpls_labels":[]},{"ttl":2,"addr":"91.206.52.37","rtt_ms":1.1,"icmp_type":11,"icmp_code":0,"reply_ttl":254,"quoted_ttl":1,"mpls_labels":[]},{"ttl":3,"addr":"192.0.2.77","rtt_ms":6.2,"icmp_type":11,"icmp_code":0,"reply_ttl":253,"quoted_ttl":1,"mpls_labels":[],"rdns":"ae-1-51.edge3.Frankfurt1.example.net"},{"ttl":5,"addr":"87.245.231.1","rtt_ms":13.0,"icmp_type":11,"icmp_code":0,"reply_ttl":251,"quoted_ttl":1,"mpls_labels":[],"rdns":"be2815.ccr41.ams03.atlas.example.com"}]}
J
"$PATHMAP_BIN" geolocate "$work/traces.jsonl" -o "$work/out2" --vantage Zurich,CH \
    --geodb "$data/geodb.csv" --geofeed "$data/geofeed.csv" --ixp "$data/ixp.csv"
$py - "$work/out2/geolocated.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
cities = [h["city"] for h in r["hops"]]
assert [h["hop"] for h in r["hops"]] == [1, 2, 3, 5], r
assert cities[1] == "Zurich" and cities[2] == "Frankfurt am Main" and cities[3] == "Amsterdam", cities
srcs = {s for c in r["hops"][1]["candidates"] for s in c["sources"]}
assert "ixp" in srcs, srcs
srcs = {s for c in r["hops"][2]["candidates"] for s in c["sources"]}
assert {"geofeed", "rdns"} <= srcs, srcs
print("traces.jsonl ok:", cities)
PY

# 2b. Country-pair priors change scores, not the validated decode.
{ for i in $(seq 1 60); do echo "CH,CH,0.$((i % 9))"; echo "CH,SG,$((100 + i % 40))"; echo "SG,SG,$((i % 3))"; done; } > "$work/priors.csv"
"$PATHMAP_BIN" geolocate "$data/case_zurich_indonesia.jsonl" -o "$work/out-priors" --priors "$work/priors.csv"
"$PATHMAP_BIN" geolocate "$data/case_zurich_indonesia.jsonl" -o "$work/out-nopriors"
$py - "$work/out-priors/geolocated.jsonl" "$work/out-nopriors/geolocated.jsonl" <<'PY'
import json, sys
a, b = (json.loads(open(f).readline()) for f in sys.argv[1:3])
assert [h["country"] for h in a["hops"]] == ["CH"] * 4 + ["SG"] * 3 + ["ID"], a["hops"]
assert a["pcs"] != b["pcs"], "priors had no effect on the path score"
print(f"priors ok: pcs {b['pcs']:.3f} -> {a['pcs']:.3f}")
PY

# 3. Bad input: one line on stderr, non-zero exit, no crash.
expect_fail() {
  local code=0
  "$PATHMAP_BIN" "$@" >"$work/stdout" 2>"$work/stderr" || code=$?
  if [ "$code" -eq 0 ] || [ "$(wc -l < "$work/stderr")" -ne 1 ] || grep -qi "sanitizer\|terminate" "$work/stderr"; then
    echo "FAIL: pathmap $* -> exit $code"; cat "$work/stderr"; exit 1
  fi
  echo "rejected ($code): $(cat "$work/stderr")"
}
echo '{"hops": [{"hop": 1, "rtt_ms": "x"}]}' > "$work/bad.jsonl"
expect_fail geolocate "$work/bad.jsonl" -o "$work/out3"
echo 'not json' > "$work/bad2.jsonl"
expect_fail geolocate "$work/bad2.jsonl" -o "$work/out3"
expect_fail geolocate "$work/cases.jsonl" -o "$work/out3" --vantage Xyzzyville
expect_fail geolocate "$work/cases.jsonl" -o "$work/out3" --vantage 95,10
printf '1.2.3.0/24,Berlin,DE,abc,1\n' > "$work/bad.csv"
expect_fail geolocate "$work/cases.jsonl" -o "$work/out3" --geodb "$work/bad.csv"
echo "CH,SG" > "$work/badpriors.csv"
expect_fail geolocate "$work/cases.jsonl" -o "$work/out3" --priors "$work/badpriors.csv"
PATHMAP_GAZETTEER=/nonexistent expect_fail geolocate "$work/cases.jsonl" -o "$work/out3"
# A line broken after whole chunks were decoded (traces.jsonl and RIPE Atlas
# lines are read as they are decoded): the error names the file's own line,
# and no partial geolocated.jsonl is left to pass for the whole.
$py - "$work" <<'PY'
import json, sys
w = sys.argv[1]
with open(w + "/long.jsonl", "w") as f:
    for i in range(20000):
        f.write(json.dumps({"dst": f"198.51.100.{i % 250 + 1}", "reached": True,
                            "hops": [{"ttl": 1, "addr": "192.0.2.1", "rtt_ms": 1.0},
                                     {"ttl": 2, "addr": f"198.51.100.{i % 250 + 1}", "rtt_ms": 2.0}]}) + "\n")
    f.write('{"dst": "198.51.100.1", "hops": [{"ttl": 1,\n')
atlas = {"type": "traceroute", "dst_addr": "198.51.100.7", "prb_id": 1, "pad": "x" * 600,
         "result": [{"hop": 1, "result": [{"from": "192.0.2.1", "rtt": 1.0}]},
                    {"hop": 2, "result": [{"from": "198.51.100.7", "rtt": 2.0}]}]}
with open(w + "/long-atlas.jsonl", "w") as f:
    for i in range(40000):  # ~30 MB: read in rounds on two threads
        f.write(json.dumps(atlas) + "\n")
        if i == 33333:
            f.write(json.dumps(atlas)[:-1] + "\n")  # line 33335 lacks its closing brace
PY
expect_fail geolocate "$work/long.jsonl" -o "$work/out4"
grep -q "long.jsonl: line 20001:" "$work/stderr" || { echo "FAIL: the error does not name line 20001"; exit 1; }
[ ! -e "$work/out4/geolocated.jsonl" ] || { echo "FAIL: a partial geolocated.jsonl was left"; exit 1; }
expect_fail geolocate "$work/long-atlas.jsonl" -o "$work/out5"
grep -q "long-atlas.jsonl: line 33335: not JSON" "$work/stderr" || { echo "FAIL: the error does not name line 33335"; exit 1; }
[ ! -e "$work/out5/geolocated.jsonl" ] || { echo "FAIL: a partial geolocated.jsonl was left"; exit 1; }
head -n 30000 "$work/long-atlas.jsonl" > "$work/atlas-ok.jsonl"
"$PATHMAP_BIN" geolocate "$work/atlas-ok.jsonl" -o "$work/out6" 2>/dev/null
[ "$(wc -l < "$work/out6/geolocated.jsonl")" -eq 30000 ] || { echo "FAIL: 30000 Atlas results did not give 30000 paths"; exit 1; }
echo "long inputs ok: broken lines named, no partial output, 30000 of 30000 Atlas results decoded"
echo "geo_cli_test: all checks passed"
