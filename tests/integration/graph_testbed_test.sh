#!/usr/bin/env bash
# The topology graph against the default testbed's ground truth: traceroute
# and scamper run from inside the testbed's prober namespace (testbed targets
# only), `pathmap graph` on their output, then: the CGNAT and private
# segments are clusters with exactly the truth's addresses, the silent private
# router is inside its cluster, diamonds open at the ECMP routers, and the
# report's chokepoints equal a remove-and-search count over the truth's paths
# for the traced prefixes. Root needed; exit 77 if namespaces cannot be made.
set -euo pipefail
src=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
tb="$src/scripts/testbed"
if [ "$(id -u)" -ne 0 ]; then echo "graph_testbed_test: needs root"; exit 77; fi
probe_ns="pmgprobe$$"
if ! ip netns add "$probe_ns" 2>/dev/null; then echo "graph_testbed_test: cannot create namespaces; skipping"; exit 77; fi
ip netns del "$probe_ns"
for tool in traceroute scamper sc_warts2json xmllint; do
  command -v $tool >/dev/null || { echo "graph_testbed_test: $tool missing (scripts/setup.sh)"; exit 1; }
done
name="gt$$"
name=${name:0:10}
tmp=$(mktemp -d)
cleanup() { "$tb" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$tb" up "$src/tests/topologies/default.json" --name "$name" >/dev/null
truth=$("$tb" truth --name "$name")
# Two addresses in the first prefix of every sink, so ECMP branches show up.
mapfile -t targets < <(/usr/bin/python3 - "$truth" <<'PY'
import json, sys, ipaddress
t = json.load(open(sys.argv[1]))
for s in t["sinks"]:
    net = ipaddress.ip_network(s["prefixes"][0])
    for k in (1, 77):
        print(net.network_address + k)
PY
)
echo "tracing ${#targets[@]} testbed targets"
sleep 1
: > "$tmp/traceroute.txt"
for t in "${targets[@]}"; do
  timeout 20 "$tb" exec --name "$name" -- traceroute -n -q 1 -w 1 -m 16 "$t" >> "$tmp/traceroute.txt" 2>/dev/null || true
done
timeout 90 "$tb" exec --name "$name" -- scamper -O warts -o "$tmp/trace.warts" -c "trace -P udp-paris -q 1 -w 1" -i "${targets[@]}"
sc_warts2json "$tmp/trace.warts" > "$tmp/scamper.json"

"$bin" graph "$tmp/traceroute.txt" "$tmp/scamper.json" -o "$tmp/out"
xmllint --noout "$tmp/out/topology.graphml" "$tmp/out/topology.gexf"
/usr/bin/python3 "$src/tests/integration/graph/check_graph_outputs.py" "$tmp/out" --expect-role cgnat --expect-role private_backbone
"$bin" report "$tmp/out" --json --top 100 > "$tmp/report.json"
/usr/bin/python3 "$src/tests/integration/graph/check_testbed_truth.py" "$truth" "$tmp/out" "$tmp/report.json"
echo "graph_testbed_test: ok"
