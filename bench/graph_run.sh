#!/usr/bin/env bash
# Topology graph benchmarks: builds an optimised graph_bench of its own (no
# root, no network) and runs every mode with its baseline. Results to stdout.
#   bench/graph_run.sh [OUT_DIR]
# With GRAPH_BENCH_OLD=/path/to/graph_bench (an older build, e.g. from a git
# worktree of a previous commit), each mode runs that binary first, in the
# same run, so old and new code are compared under the same machine load.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/pathmap-graph-bench}
old=${GRAPH_BENCH_OLD:-}
mkdir -p "$out/generated/graph"
cmake -DINPUT="$src/graph/rules/default_roles.json" -DOUTPUT="$out/generated/graph/default_roles_json.h" \
      -P "$src/graph/embed_rules.cmake"
c++ -O2 -DNDEBUG -std=c++20 -I"$src/include" -I"$src" -I"$out/generated" -o "$out/graph_bench" \
    "$src/bench/graph_bench.cpp" "$src"/graph/*.cpp "$src"/graph/geo/*.cpp "$src"/userspace/common/*.cpp -lfmt -ldl -pthread $(pkg-config --libs libloc)
run() { # mode args...: the old binary (if given), then this tree's
    if [ -n "$old" ]; then
        echo "-- old: $old $* (load: $(cut -d' ' -f1-3 /proc/loadavg))"
        "$old" "$@"
    fi
    echo "-- new: $out/graph_bench $* (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    "$out/graph_bench" "$@"
}
echo "== 10M replies into the graph (separate process, so peak RSS is this mode's)"
run replies 10000000
echo "== traces.jsonl ingest, 200,000 traces x 10 hops"
run ingest "$out/traces.jsonl" 200000
echo "== GraphML export of a 100,000-node graph"
run graphml "$out/topology.graphml" 100000
ls -l "$out/topology.graphml"
echo "== baselines reading the same GraphML: xmllint parse, networkx.read_graphml"
/usr/bin/time -f "xmllint --noout: %e s" xmllint --noout "$out/topology.graphml"
/usr/bin/time -f "networkx read_graphml: %e s, %M KiB" /usr/bin/python3 -c \
  "import networkx as nx, sys; g = nx.read_graphml(sys.argv[1]); print(g.number_of_nodes(), 'nodes read by networkx')" \
  "$out/topology.graphml"
