#!/bin/bash
# pathmap graph --db against real servers on the small testbed: a sweep
# stored in a PostgreSQL 15 this script starts (private Unix socket) gives,
# read back with graph --db, the same vertices and edges (interfaces, links,
# anonymous and prefix vertices, clusters) as graph on the sweep's own
# traces.jsonl; the same through SQLite (import); two scans from two vantage
# points merge into the graph of both files, each path starting at its own
# vantage vertex; an mtr scan's graph has the report's hosts; sweep --shard 1/2 and
# 2/2 probe disjoint target sets whose union is the whole sweep's; an
# unknown scan id, no input and an unreachable server are one line each. Needs root. Everything
# it starts it stops (trap).
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$(readlink -f "${PATHMAP_BIN:-$SRC/build/bin/pathmap}")
PY=/usr/bin/python3
SHAPE="$PY $SRC/tests/integration/store/graphml_shape.py"
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
. "$SRC/tests/integration/store/pg_server.sh"
pg_require || exit 1
NAME=hsg$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-store-graph.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() {
    pg_stop
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }
same_shape() { # WANT.graphml GOT.graphml WHAT [uniq: lines that repeat (several vantage vertices) count once]
    $SHAPE "$1" | { [ "${4:-}" = uniq ] && sort -u || cat; } >"$WORK/want.shape"
    $SHAPE "$2" | { [ "${4:-}" = uniq ] && sort -u || cat; } >"$WORK/got.shape"
    if [ "$(grep -c '^vertex interface' "$WORK/want.shape")" -lt 5 ]; then echo "FAIL: $3: too few interfaces to compare"; fail=1; fi
    if cmp -s "$WORK/want.shape" "$WORK/got.shape"; then return 0; fi
    echo "FAIL: $3: graphs differ (< traces.jsonl, > store):"; diff "$WORK/want.shape" "$WORK/got.shape" | head -20; fail=1
}

pg_start "$WORK/pg" || exit 1
pg_createdb pm || exit 1
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
$PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets']]" "$TRUTH" >"$WORK/prefixes.txt"
SWEEP=(sweep -f "$WORK/prefixes.txt" --per-24 4 --flows 2 --allow 198.18.0.0/15 --rate 5000 --wait 500 -q --no-graph)
GRAPH=(graph --no-png)

# --- 1. sweep -> PostgreSQL -> graph --db: the graph of traces.jsonl. ---
run "$BIN" "${SWEEP[@]}" --seed 1 --db "$(pgurl pm)" --vantage ams1 -o "$WORK/s1"
check test $? = 0
"$BIN" "${GRAPH[@]}" "$WORK/s1/traces.jsonl" -o "$WORK/g-file" >/dev/null
check test $? = 0
"$BIN" "${GRAPH[@]}" --db "$(pgurl pm)" --scan 1 -o "$WORK/g-pg" >"$WORK/g-pg.out"
check test $? = 0
same_shape "$WORK/g-file/topology.graphml" "$WORK/g-pg/topology.graphml" "PostgreSQL scan 1"
check test "$($SHAPE --vantage "$WORK/g-pg/topology.graphml")" = ams1
check grep -q "^1 scans from 1 vantage point (ams1), $(wc -l <"$WORK/s1/traces.jsonl") traces" "$WORK/g-pg.out"
# profiles.jsonl holds the same paths (one line per trace).
check test "$(wc -l <"$WORK/g-pg/profiles.jsonl")" = "$(wc -l <"$WORK/g-file/profiles.jsonl")"
echo "postgresql: $(grep -c '^vertex interface' "$WORK/want.shape") interfaces, $(grep -c '^edge link' "$WORK/want.shape") links, as from traces.jsonl"

# --- 2. The same through SQLite. ---
"$BIN" import "$WORK/s1/traces.jsonl" --db "$WORK/team.db" --vantage ams1 -q
"$BIN" "${GRAPH[@]}" --db "$WORK/team.db" -o "$WORK/g-sqlite" >/dev/null
check test $? = 0
same_shape "$WORK/g-file/topology.graphml" "$WORK/g-sqlite/topology.graphml" "SQLite import"

# --- 3. Two vantage points, two scans: one graph, a vantage vertex each. ---
run "$BIN" "${SWEEP[@]}" --seed 2 --db "$(pgurl pm)" --vantage lon1 -o "$WORK/s2"
check test $? = 0
"$BIN" "${GRAPH[@]}" "$WORK/s1/traces.jsonl" "$WORK/s2/traces.jsonl" -o "$WORK/g-both" >/dev/null
"$BIN" "${GRAPH[@]}" --db "$(pgurl pm)" --scan 1 --scan 2 -o "$WORK/g-merged" >"$WORK/g-merged.out"
check test $? = 0
# The files name no vantage point: one vantage vertex there, two here, the rest the same.
same_shape "$WORK/g-both/topology.graphml" "$WORK/g-merged/topology.graphml" "scans 1 and 2 merged" uniq
check test "$($SHAPE --vantage "$WORK/g-merged/topology.graphml" | tr ' ' '\n' | sort | tr '\n' ' ')" = "ams1 lon1 "
# Both sweeps ran from the prober behind r1: each vantage vertex has its own first link there.
check test "$($SHAPE "$WORK/g-merged/topology.graphml" | grep -c '^edge link vantage 198.18.0.1$')" = 2
check test "$($SHAPE "$WORK/g-merged/topology.graphml" | grep -c '^vertex vantage')" = 2
# profiles.jsonl says where each path started: scan 1's traces from ams1, scan 2's from lon1.
check test "$($PY -c "import json,sys,collections; print(sorted(collections.Counter(json.loads(l)['vantage'] for l in open(sys.argv[1])).items()))" "$WORK/g-merged/profiles.jsonl")" = \
    "[('ams1', $(wc -l <"$WORK/s1/traces.jsonl")), ('lon1', $(wc -l <"$WORK/s2/traces.jsonl"))]"
check grep -q "^2 scans from 2 vantage points (ams1, lon1)" "$WORK/g-merged.out"
# Without --scan: every scan the store holds, the same two.
"$BIN" "${GRAPH[@]}" --db "$(pgurl pm)" -o "$WORK/g-all" >/dev/null
same_shape "$WORK/g-merged/topology.graphml" "$WORK/g-all/topology.graphml" "every scan"
# The second scan's own sample differs from the first's: the merge has more prefixes' hosts.
check test "$(wc -l <"$WORK/g-merged/profiles.jsonl")" = "$(( $(wc -l <"$WORK/s1/traces.jsonl") + $(wc -l <"$WORK/s2/traces.jsonl") ))"

# --- 4. An mtr scan: its graph has the report's hosts as interfaces. ---
run "$BIN" mtr -n 198.19.1.7 --allow 198.18.0.0/15 -c 4 --interval 50 --timeout 500 --json --quiet -o "$WORK/mtr.json" --db "$(pgurl pm)"
check test $? = 0
"$BIN" "${GRAPH[@]}" --db "$(pgurl pm)" --scan 3 --hosts -o "$WORK/g-mtr" >/dev/null
check test $? = 0
want=$($PY -c "import json,sys; print(' '.join(sorted(h['host'] for h in json.load(open(sys.argv[1]))['report']['hubs'] if h['host'] != '???')))" "$WORK/mtr.json")
got=$($SHAPE "$WORK/g-mtr/topology.graphml" | sed -n 's/^vertex interface //p' | sort | tr '\n' ' ' | sed 's/ $//')
check test -n "$want"
check test "$want" = "$got"

# --- 5. sweep --shard: two vantage points split one sweep. Their targets are
# disjoint and together the whole sweep's (same targets, same --seed). ---
pg_createdb shard || exit 1
for k in 1 2; do
    run "$BIN" "${SWEEP[@]}" --seed 5 --shard $k/2 --db "$(pgurl shard)" --vantage "v$k" -o "$WORK/shard$k"
    check test $? = 0
done
run "$BIN" "${SWEEP[@]}" --seed 5 --no-db -o "$WORK/whole"
check $PY - "$WORK/whole/traces.jsonl" "$WORK/shard1/traces.jsonl" "$WORK/shard2/traces.jsonl" <<'PY'
import json, sys
dsts = [{json.loads(l)["dst"] for l in open(f)} for f in sys.argv[1:]]
whole, a, b = dsts
assert a and b and not (a & b), (len(a), len(b), a & b)
assert a | b == whole, (len(a | b), len(whole))
assert abs(len(a) - len(b)) <= 1, (len(a), len(b))
print(f"--shard: {len(a)} + {len(b)} targets, disjoint, = the whole sweep's {len(whole)}")
PY
check test "$(psqlq shard -c "SELECT string_agg(vantage || ':' || (parameters->>'shard') || ':' || complete, ' ' ORDER BY id) FROM pathmap.scans")" = "v1:1/2:true v2:2/2:true"
"$BIN" "${GRAPH[@]}" --db "$(pgurl shard)" -o "$WORK/g-shards" >"$WORK/g-shards.out"
check grep -q "^2 scans from 2 vantage points (v1, v2), $(wc -l <"$WORK/whole/traces.jsonl") traces" "$WORK/g-shards.out"
run "$BIN" "${SWEEP[@]}" --shard 2/2 --no-db -o "$WORK/x" 2>"$WORK/e0"
check test $? = 2    # no --seed: refused, one line
check test "$(wc -l <"$WORK/e0")" = 1
run "$BIN" "${SWEEP[@]}" --seed 5 --shard 3/2 --no-db -o "$WORK/x" 2>/dev/null
check test $? = 2

# --- 6. Mistakes and faults: one line each. ---
"$BIN" "${GRAPH[@]}" --db "$(pgurl pm)" --scan 99 -o "$WORK/g-x" 2>"$WORK/e1"
check test $? = 2
check test "$(wc -l <"$WORK/e1")" = 1
"$BIN" "${GRAPH[@]}" -o "$WORK/g-x" 2>"$WORK/e2"
check test $? = 2
"$BIN" "${GRAPH[@]}" --db "postgresql:///pm?host=$WORK/nowhere&user=postgres&connect_timeout=3" -o "$WORK/g-x" 2>"$WORK/e3"
check test $? = 1
check test "$(wc -l <"$WORK/e3")" = 1
"$BIN" "${GRAPH[@]}" --db "$WORK/missing.db" -o "$WORK/g-x" 2>"$WORK/e4"
check test $? = 2
check test ! -e "$WORK/missing.db"   # reading never creates a database
cat "$WORK/e1" "$WORK/e4"

[ $fail = 0 ] && echo "store_graph_test: ok" || echo "store_graph_test: FAILED"
exit $fail
