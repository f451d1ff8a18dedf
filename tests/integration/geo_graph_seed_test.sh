#!/usr/bin/env bash
# pathmap graph --geolocate on the seed trace of issue #5 (a Verizon Wireless
# phone in the US to an Alibaba Cloud address in Singapore, +172 ms at hop
# 13): the region vertices must split the US hops from the Singapore ones
# (they used to share one region). No root, no network.
set -euo pipefail
: "${PATHMAP_BIN:?}" "${PATHMAP_SOURCE_DIR:?}"
if [ -z "${PATHMAP_GAZETTEER:-}" ] && [ ! -r /usr/share/libtimezonemap/ui/cities15000.txt ]; then
  echo "geo_graph_seed_test: no gazetteer (scripts/setup.sh installs libtimezonemap-data)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/pathmap-geo-seed.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$PATHMAP_BIN" graph "$PATHMAP_SOURCE_DIR/tests/data/graph/seed_mobile_trace.json" -o "$work/out" \
    --geolocate --no-png > "$work/log"
python3 - "$work/out/topology.graphml" <<'PY'
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
def region_of(addr):
    hop = [n for n, d in g.nodes(data=True) if addr in (d.get("addr"), d.get("label"))]
    assert len(hop) == 1, (addr, hop)
    out = [v for _, v, d in g.out_edges(hop[0], data=True) if d["kind"] == "located_in"]
    assert len(out) <= 1, (addr, out)
    return g.nodes[out[0]] if out else None
us = ["69.83.101.185", "69.83.101.187", "69.83.96.212", "69.83.97.75", "63.65.74.42"]
# The destination is folded into its /24's prefix vertex (docs/GRAPH.md).
sg = ["63.218.44.13", "63.218.44.14", "47.236.138.0/24"]
for a in us:
    r = region_of(a)
    assert r is not None and r["region"] == "US", (a, r)
for a in sg:
    r = region_of(a)
    assert r is not None and r["region"] == "SG", (a, r)
regions = sorted({d["label"] for n, d in g.nodes(data=True) if d["kind"] == "region"})
countries = {d["region"] for n, d in g.nodes(data=True) if d["kind"] == "region"}
assert {"US", "SG"} <= countries, regions
print("seed trace regions:", regions)
PY
echo "geo_graph_seed_test: ok"
