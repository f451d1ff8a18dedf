#!/bin/bash
# The hop store against real servers: a sweep on the small testbed writes
# OUT/pathmap.db, and every hop of its traces.jsonl is in it, field by field,
# read with the sqlite3 CLI; the same sweep into a PostgreSQL 15 this script
# starts (initdb into a temporary directory, a Unix socket there and no TCP,
# run as the postgres user), read with psql; unicornscan's uni_scan/uni_hops
# filled on a database holding that schema; two concurrent writers; an
# unreachable server; a malformed URL; a schema newer than pathmap's; import
# of the other formats. Needs root. Everything it starts it stops (trap).
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 missing (scripts/setup.sh installs it)"; exit 1; }
. "$SRC/tests/integration/store/pg_server.sh"
pg_require || exit 1
NAME=hst$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-hop-store.XXXXXX)
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

# --- PostgreSQL 15: private socket directory, no TCP listener (pg_server.sh). ---
pg_start "$WORK/pg" || exit 1
pg_createdb pm uni race bad || exit 1
# unicornscan's tables: pathmap must fill, never create, them.
unicornscan_fixture uni || exit 1

# --- The testbed. ---
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 180 "$TB" exec --name "$NAME" -- "$@"; }
$PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets']]" "$TRUTH" >"$WORK/prefixes.txt"
SWEEP=(sweep -f "$WORK/prefixes.txt" --per-24 4 --flows 2 --allow 198.18.0.0/15 --rate 5000 --wait 500 -q --no-graph)

# Every hop of a traces.jsonl as tab-separated rows, in the store's units
# (NULL for what a silent TTL or a TCP reply does not have), sorted.
jsonl_rows() {
    $PY - "$1" <<'PY'
import json, math, sys
out = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    for h in t["hops"]:
        if h.get("addr") is None:
            vals = [t["dst"], t["flow_id"], h["ttl"]] + ["NULL"] * 9
        else:
            it, ic = h.get("icmp_type", -1), h.get("icmp_code", -1)
            labels = h.get("mpls_labels") or []
            vals = [t["dst"], t["flow_id"], h["ttl"], h["addr"], math.floor(h["rtt_ms"] * 1000 + 0.5),
                    it if it >= 0 else "NULL", ic if ic >= 0 else "NULL", h["reply_ttl"], h["quoted_ttl"],
                    ",".join(map(str, labels)) if labels else "NULL", h.get("rdns") or "NULL", h.get("asn") or "NULL"]
        out.append("\t".join(map(str, vals)))
for r in sorted(out):
    print(r)
PY
}
# The same from the databases.
# ADDR(x) and TXT stand for what differs: host(inet) and ::text on PostgreSQL.
SQL_HOPS="SELECT ADDR(t.probe_dst_addr), t.flow_id, h.probe_ttl, coalesce(ADDR(h.reply_src_addr), 'NULL'),
  coalesce(h.rtt_usTXT, 'NULL'), coalesce(h.reply_icmp_typeTXT, 'NULL'), coalesce(h.reply_icmp_codeTXT, 'NULL'),
  coalesce(h.reply_ttlTXT, 'NULL'), coalesce(h.quoted_ttlTXT, 'NULL'), LABELS, coalesce(h.rdns, 'NULL'),
  coalesce(h.asnTXT, 'NULL') FROM SCHEMAhops h JOIN SCHEMAtraces t ON t.id = h.trace_id WHERE t.scan_id = SCAN"
sqlite_rows() { # DB SCAN
    local q=${SQL_HOPS//LABELS/"coalesce((SELECT group_concat(value) FROM json_each(h.reply_mpls_labels)), 'NULL')"}
    q=${q//ADDR/}; q=${q//TXT/}; q=${q//SCHEMA/}
    sqlite3 -separator $'\t' "$1" "${q//SCAN/$2}" | LC_ALL=C sort
}
pg_rows() { # DB SCAN
    local q=${SQL_HOPS//LABELS/"coalesce(array_to_string(h.reply_mpls_labels, ','), 'NULL')"}
    q=${q//ADDR/host}; q=${q//TXT/::text}; q=${q//SCHEMA/pathmap.}
    psqlq "$1" -F $'\t' -c "${q//SCAN/$2}" | LC_ALL=C sort
}

# --- 1. The default: OUT/pathmap.db, every hop in it. ---
run "$BIN" "${SWEEP[@]}" -o "$WORK/s1"
check test $? = 0
check test -s "$WORK/s1/pathmap.db"
jsonl_rows "$WORK/s1/traces.jsonl" | LC_ALL=C sort >"$WORK/s1.want"
sqlite_rows "$WORK/s1/pathmap.db" 1 >"$WORK/s1.got"
hops=$(wc -l <"$WORK/s1.want")
check test "$hops" -gt 100
if ! cmp -s "$WORK/s1.want" "$WORK/s1.got"; then
    echo "FAIL: SQLite hops differ from traces.jsonl:"; diff "$WORK/s1.want" "$WORK/s1.got" | head -20; fail=1
fi
check test "$(sqlite3 "$WORK/s1/pathmap.db" "SELECT count(*) FROM traces")" = "$(wc -l <"$WORK/s1/traces.jsonl")"
check test "$(sqlite3 "$WORK/s1/pathmap.db" "SELECT mode, vantage, complete, source_addr, pathmap_version <> '', ended > started FROM scans")" = "sweep|$(hostname)|1|198.18.0.2|1|1"
check test "$(sqlite3 "$WORK/s1/pathmap.db" "SELECT version FROM schema_version")" = 1
check test "$(sqlite3 "$WORK/s1/pathmap.db" "PRAGMA journal_mode")" = wal
echo "sqlite: $hops hops of traces.jsonl all in OUT/pathmap.db"

# --- 1b. A run cut short (SIGINT): every trace it wrote is stored, the scan says complete = 0. ---
ip netns exec "pm$NAME-prober" "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate 2000 --wait 300 \
    --no-graph -o "$WORK/int" 2>"$WORK/int.err" &
pid=$!
for _ in $(seq 60); do grep -q "sent [1-9]" "$WORK/int.err" 2>/dev/null && break; sleep 0.5; done
kill -INT "$pid"  # ip netns exec execs pathmap: same pid
wait "$pid"
check test "$(sqlite3 "$WORK/int/pathmap.db" "SELECT complete, (SELECT count(*) FROM traces), (SELECT count(*) FROM hops) FROM scans")" = \
    "0|$(wc -l <"$WORK/int/traces.jsonl")|$(jsonl_rows "$WORK/int/traces.jsonl" | wc -l)"

# --- 2. --no-db, --db elsewhere with --vantage, bad URLs. ---
run "$BIN" "${SWEEP[@]}" --no-db -o "$WORK/s2"
check test $? = 0
check test ! -e "$WORK/s2/pathmap.db"
run "$BIN" "${SWEEP[@]}" --db "sqlite:$WORK/team.db" --vantage ams1 -o "$WORK/s3"
check test $? = 0
check test ! -e "$WORK/s3/pathmap.db"
check test "$(sqlite3 "$WORK/team.db" "SELECT vantage FROM scans")" = ams1
run "$BIN" "${SWEEP[@]}" --db "mysql://db/x" -o "$WORK/s4" 2>"$WORK/s4.err"
check test $? = 2
check test "$(wc -l <"$WORK/s4.err")" = 1
check test ! -e "$WORK/s4/traces.jsonl"  # refused before anything was probed

# --- 3. import: pathmap's own file and the formats graph reads, one scan per file. ---
"$BIN" import "$WORK/s1/traces.jsonl" "$SRC/tests/data/graph/testbed_scamper.json" "$SRC/tests/data/graph/testbed_mtr.json" \
    "$SRC/tests/data/graph/testbed_traceroute.txt" "$SRC/tests/data/graph/atlas_traceroute.json" \
    --db "$WORK/team.db" --vantage lab >"$WORK/import.out"
check test $? = 0
check test "$(sqlite3 "$WORK/team.db" "SELECT count(*) FROM scans WHERE mode = 'import' AND vantage = 'lab' AND complete")" = 5
sqlite_rows "$WORK/team.db" 2 >"$WORK/imp.got"
check cmp -s "$WORK/s1.want" "$WORK/imp.got"
check $PY - "$WORK/team.db" <<'PY'
# Each imported file is a scan with traces and hops.
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT s.targets, count(DISTINCT t.id), count(h.trace_id) FROM scans s JOIN traces t ON t.scan_id = s.id "
                  "LEFT JOIN hops h ON h.trace_id = t.id WHERE s.mode = 'import' GROUP BY s.id").fetchall()
assert len(rows) == 5 and all(t > 0 and h > 0 for _, t, h in rows), rows
PY
# pathmap scans lists them: the sweep and the five imports.
check test "$("$BIN" scans --db "$WORK/team.db" --json | $PY -c "import json,sys; print(' '.join(f\"{s['id']}:{s['vantage']}:{s['mode']}:{s['complete']}\" for s in json.load(sys.stdin)))")" = \
    "1:ams1:sweep:True 2:lab:import:True 3:lab:import:True 4:lab:import:True 5:lab:import:True 6:lab:import:True"
"$BIN" scans --db "$WORK/team.db" | head -3
# A file that does not parse: one line, exit 2, nothing stored.
echo "not a trace" >"$WORK/junk.txt"
"$BIN" import "$WORK/junk.txt" --db "$WORK/team.db" 2>"$WORK/junk.err"
check test $? = 2
check test "$(wc -l <"$WORK/junk.err")" = 1
check test "$(sqlite3 "$WORK/team.db" "SELECT count(*) FROM scans")" = 6

# --- 4. PostgreSQL: the same sweep, every hop in pathmap.hops. ---
run "$BIN" "${SWEEP[@]}" --db "$(pgurl pm)" --vantage lon1 -o "$WORK/p1"
check test $? = 0
check test ! -e "$WORK/p1/pathmap.db"
jsonl_rows "$WORK/p1/traces.jsonl" | LC_ALL=C sort >"$WORK/p1.want"
pg_rows pm 1 >"$WORK/p1.got"
if ! cmp -s "$WORK/p1.want" "$WORK/p1.got"; then
    echo "FAIL: PostgreSQL hops differ from traces.jsonl:"; diff "$WORK/p1.want" "$WORK/p1.got" | head -20; fail=1
fi
check test "$(psqlq pm -c "SELECT mode, vantage, complete, host(source_addr), parameters->>'proto', ended > started FROM pathmap.scans")" = "sweep|lon1|t|198.18.0.2|icmp|t"
check test "$(psqlq pm -c "SELECT string_agg(version::text, ' ' ORDER BY version) FROM pathmap.schema_version")" = "1 2 3"
# A plain database gets no unicornscan tables.
check test "$(psqlq pm -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'uni\_%'")" = 0
echo "postgresql: $(wc -l <"$WORK/p1.want") hops of traces.jsonl all in pathmap.hops"
# A real tracepath file that never reached (no destination named) and printed
# names only for its first hops: imported whole, the destination NULL, the
# named hops with their rdns and no address; graph --db keys them by name.
REAL=${PATHMAP_REALDATA:-$SRC/../shared/realdata}
"$BIN" import "$REAL/traceroute/jc_centos77_tracepath.out" --db "$(pgurl pm)" --vantage lab -q
check test $? = 0
check test "$(psqlq pm -c "SELECT count(*), count(probe_dst_addr) FROM pathmap.traces t JOIN pathmap.scans s ON s.id = t.scan_id WHERE s.mode = 'import'")" = "1|0"
check test "$(psqlq pm -c "SELECT string_agg(probe_ttl || ':' || coalesce(host(reply_src_addr), '-') || ':' || coalesce(rdns, '-'), ' ' ORDER BY probe_ttl) FROM pathmap.hops h JOIN pathmap.traces t ON t.id = h.trace_id JOIN pathmap.scans s ON s.id = t.scan_id WHERE s.mode = 'import' AND (h.reply_src_addr IS NOT NULL OR h.rdns IS NOT NULL)")" = \
    "1:-:dsldevice.attlocal.net 2:-:76-220-24-1.lightspeed.sntcca.sbcglobal.net 3:71.148.149.0:- 4:12.242.117.16:-"
import_scan=$(psqlq pm -c "SELECT id FROM pathmap.scans WHERE mode = 'import'")
"$BIN" graph --no-png --db "$(pgurl pm)" --scan "$import_scan" -o "$WORK/g-tp" >/dev/null
check test $? = 0
check $PY -c "
import sys, xml.etree.ElementTree as ET
ns = {'g': 'http://graphml.graphdrawing.org/xmlns'}
root = ET.parse(sys.argv[1]).getroot()
keys = {k.get('id'): k.get('attr.name') for k in root.findall('g:key', ns)}
labels = {}
for n in root.iter('{%s}node' % ns['g']):
    d = {keys.get(x.get('key')): x.text for x in n.findall('g:data', ns)}
    labels[d.get('label')] = d.get('kind')
want = ['dsldevice.attlocal.net', '76-220-24-1.lightspeed.sntcca.sbcglobal.net', '71.148.149.0', '12.242.117.16']
assert all(labels.get(w) == 'interface' for w in want), labels
assert 'prefix' not in labels.values(), labels
" "$WORK/g-tp/topology.graphml"

# --- 5. unicornscan: uni_scan and uni_hops filled the way its traceroute mode does. ---
run "$BIN" "${SWEEP[@]}" --db "$(pgurl uni)" -o "$WORK/u1"
check test $? = 0
check test "$(psqlq uni -c "SELECT profile, modules, mode_str, host(src_addr), pps, num_hosts > 0, num_packets > 0, e_time >= s_time, scan_metadata->>'tool' FROM uni_scan")" = "pathmap|pathmap|sweep|198.18.0.2|5000|t|t|t|pathmap"
check test "$(psqlq uni -c "SELECT uni_scan_id = (SELECT scan_id FROM uni_scan) FROM pathmap.scans")" = t
check test "$(psqlq uni -c "SELECT count(*) FROM uni_hops WHERE ipreport_id IS NOT NULL OR ttl_observed <> hop_number OR scan_id <> (SELECT scan_id FROM uni_scan)")" = 0
check test "$(psqlq uni -c "SELECT count(*) FROM uni_hops GROUP BY target_addr, hop_number HAVING count(*) > 1")" = ""
# The chain per target, ordered by hop number, is the most-answered address at each TTL.
psqlq uni -F $'\t' -c "SELECT host(target_addr), hop_number, host(hop_addr), rtt_us IS NOT NULL, extra_data ? 'loss' FROM uni_hops ORDER BY target_addr, hop_number" >"$WORK/uni.got"
$PY - "$WORK/u1/traces.jsonl" >"$WORK/uni.want" <<'PY'
import collections, json, sys, ipaddress
seen = collections.defaultdict(collections.Counter)
for line in open(sys.argv[1]):
    t = json.loads(line)
    for h in t["hops"]:
        if h.get("addr"):
            seen[(t["dst"], h["ttl"])][h["addr"]] += 1
rows = []
for (dst, ttl), c in seen.items():
    best = sorted(c.items(), key=lambda kv: (-kv[1], ipaddress.ip_address(kv[0])))[0][0]
    rows.append((ipaddress.ip_address(dst), ttl, best))
for dst, ttl, best in sorted(rows):
    print(f"{dst}\t{ttl}\t{best}\tt\tt")
PY
check test -s "$WORK/uni.want"
if ! cmp -s "$WORK/uni.want" "$WORK/uni.got"; then
    echo "FAIL: uni_hops chain differs from traces.jsonl:"; diff "$WORK/uni.want" "$WORK/uni.got" | head -20; fail=1
fi
# pathmap's own tables are there too, whole.
jsonl_rows "$WORK/u1/traces.jsonl" | LC_ALL=C sort >"$WORK/u1.want"
pg_rows uni 1 >"$WORK/u1.got"
check cmp -s "$WORK/u1.want" "$WORK/u1.got"
echo "unicornscan: $(wc -l <"$WORK/uni.got") uni_hops rows, one per (target, hop number), e.g.:"
psqlq uni -c "SELECT host(target_addr), hop_number, host(hop_addr), rtt_us, extra_data FROM uni_hops ORDER BY target_addr, hop_number LIMIT 2"

# --- 6. Two writers at once, on a database neither has set up: both land whole. ---
"$BIN" import "$WORK/s1/traces.jsonl" --db "$(pgurl race)" --vantage A -q & a=$!
"$BIN" import "$WORK/s1/traces.jsonl" --db "$(pgurl race)" --vantage B -q & b=$!
wait $a; ra=$?
wait $b; rb=$?
check test "$ra/$rb" = 0/0
for v in A B; do
    scan=$(psqlq race -c "SELECT id FROM pathmap.scans WHERE vantage = '$v' AND complete")
    pg_rows race "${scan:-0}" >"$WORK/race-$v.got"
    check cmp -s "$WORK/s1.want" "$WORK/race-$v.got"
done
# Each schema version applied once, though both writers found no schema.
check test "$(psqlq race -c "SELECT count(*), count(DISTINCT version) FROM pathmap.schema_version")" = "3|3"

check test "$("$BIN" scans --db "$(pgurl race)" --json | $PY -c "import json,sys; print(sorted(s['vantage'] + str(s['traces']) for s in json.load(sys.stdin)))")" = \
    "['A$(wc -l <"$WORK/s1/traces.jsonl")', 'B$(wc -l <"$WORK/s1/traces.jsonl")']"

# Deleting a scan deletes its traces (foreign key) and their hops (the
# statement trigger of schema version 2), and nothing of the other scan.
hops_b=$(psqlq race -c "SELECT count(*) FROM pathmap.hops h JOIN pathmap.traces t ON t.id = h.trace_id JOIN pathmap.scans s ON s.id = t.scan_id WHERE s.vantage = 'B'")
psqlq race -c "DELETE FROM pathmap.scans WHERE vantage = 'A'"
check test "$(psqlq race -c "SELECT count(*) FROM pathmap.hops")" = "$hops_b"
check test "$(psqlq race -c "SELECT count(*) FROM pathmap.hops h LEFT JOIN pathmap.traces t ON t.id = h.trace_id WHERE t.id IS NULL")" = 0
check test "$hops_b" -gt 100

# --- 7. An unreachable server: files written, one line, exit 1. ---
run "$BIN" "${SWEEP[@]}" --db "postgresql:///pm?host=$WORK/nowhere&user=postgres&connect_timeout=3" -o "$WORK/down" 2>"$WORK/down.err"
check test $? = 1
check test -s "$WORK/down/traces.jsonl"
check test "$(wc -l <"$WORK/down.err")" = 1
check grep -q "hop store not written" "$WORK/down.err"
echo "unreachable server: $(cat "$WORK/down.err")"

# --- 8. A schema newer than this pathmap: one line, exit 2; a malformed conninfo too. ---
"$BIN" import "$WORK/s1/traces.jsonl" --db "$(pgurl bad)" -q
psqlq bad -c "INSERT INTO pathmap.schema_version VALUES (99)"
"$BIN" import "$WORK/s1/traces.jsonl" --db "$(pgurl bad)" 2>"$WORK/bad.err"
check test $? = 2
check test "$(wc -l <"$WORK/bad.err")" = 1
check grep -q "newer" "$WORK/bad.err"
echo "newer schema: $(cat "$WORK/bad.err")"
"$BIN" import "$WORK/s1/traces.jsonl" --db "postgresql:///pm?host=$PGDIR&nosuchoption=1" 2>"$WORK/url.err"
check test $? = 2
check test "$(wc -l <"$WORK/url.err")" = 1

[ $fail = 0 ] && echo "hop_store_test: ok" || echo "hop_store_test: FAILED"
exit $fail
