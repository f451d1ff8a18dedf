#!/usr/bin/env bash
# pathmap graph on every input format's fixture (files made on the testbed by
# scamper, mtr and traceroute; an Atlas result; the seed mobile trace), read
# back by xmllint, networkx and igraph; pathmap report on the result; bad
# input gives one line and a non-zero exit. Needs no root and sends nothing.
set -euo pipefail
src=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
data="$src/tests/data/graph"
check="$src/tests/integration/graph/check_graph_outputs.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for tool in xmllint; do command -v $tool >/dev/null || { echo "graph_formats_test: $tool missing (scripts/setup.sh)"; exit 1; }; done

run() { # name, expected roles..., -- files...
  local name=$1; shift
  local roles=()
  while [ "$1" != "--" ]; do roles+=(--expect-role "$1"); shift; done
  shift
  "$bin" graph "$@" -o "$tmp/$name" >"$tmp/$name.log"
  xmllint --noout "$tmp/$name/topology.graphml" "$tmp/$name/topology.gexf"
  /usr/bin/python3 "$check" "$tmp/$name" "${roles[@]}"
}

run seed rf_link packet_core cgnat private_backbone access_router international_transit destination -- "$data/seed_mobile_trace.json"
run traceroute cgnat private_backbone destination -- "$data/testbed_traceroute.txt"
run scamper cgnat private_backbone destination -- "$data/testbed_scamper.json"
run mtr destination -- "$data/testbed_mtr.json"
run atlas mpls_backbone destination -- "$data/atlas_traceroute.json"
run mixed cgnat private_backbone -- --format auto "$data/testbed_traceroute.txt" "$data/testbed_scamper.json" "$data/atlas_traceroute.json"
grep -q "topology.png" "$tmp/seed.log" || { command -v dot >/dev/null && { echo "no topology.png although dot exists"; exit 1; }; }

# --geolocate: region vertices and located_in edges from graph/geo, when a city list exists.
if [ -r /usr/share/libtimezonemap/ui/cities15000.txt ] || [ -n "${PATHMAP_GAZETTEER:-}" ]; then
  "$bin" graph "$data/seed_mobile_trace.json" -o "$tmp/geo" --geolocate --no-png >/dev/null
  /usr/bin/python3 - "$tmp/geo/topology.graphml" <<'PY'
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
regions = [n for n, d in g.nodes(data=True) if d["kind"] == "region"]
located = [e for e in g.edges(data=True) if e[2]["kind"] == "located_in"]
assert regions and located, (regions, len(located))
assert all(g.nodes[v]["kind"] == "region" for _, v, _ in located)
print("geolocate ok: %d regions, %d located_in edges" % (len(regions), len(located)))
PY
else
  echo "no gazetteer (cities15000.txt): --geolocate not checked"
fi

# report: path, chokepoints, segments, JSON form.
"$bin" report "$tmp/traceroute" --path-to 198.19.64.1 > "$tmp/report.txt"
grep -q "Path to 198.19.64.1" "$tmp/report.txt"
grep -q "cgnat-1" "$tmp/report.txt"
"$bin" report "$tmp/traceroute" --json > "$tmp/report.json"
/usr/bin/python3 - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cp = {c["hop"]: c["prefixes_behind"] for c in r["chokepoints"]}
assert cp.get("198.18.0.1") == 3, cp   # the prober's gateway carries all three reached /24s
assert any(s["kind"] == "cgnat" for s in r["segments"]), r["segments"]
assert r["top_links"][0]["paths"] >= 3, r["top_links"]
print("report ok")
PY

# Bad input: one line, non-zero exit, no crash.
expect_fail() {
  local want=$1; shift
  set +e
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  if [ $rc -ne "$want" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    echo "expected exit $want and one line for: $*"; cat "$tmp/err"; exit 1
  fi
}
printf 'hello world\n' > "$tmp/junk.txt"
expect_fail 2 graph "$tmp/junk.txt" -o "$tmp/junk"
printf '{"dst":"198.19.1.1","hops":[{"ttl":1,"addr":"300.1.1.1"}]}\n' > "$tmp/bad.jsonl"
expect_fail 2 graph "$tmp/bad.jsonl" -o "$tmp/bad"
printf '{"rules": [{"name": "x", "role": "nope"}]}' > "$tmp/rules.json"
expect_fail 1 graph "$data/seed_mobile_trace.json" --rules "$tmp/rules.json" -o "$tmp/r"
expect_fail 2 graph "$data/seed_mobile_trace.json" --format csv -o "$tmp/r"
expect_fail 2 report "$tmp/traceroute" --path-to 203.0.113.9
echo "graph_formats_test: ok"
