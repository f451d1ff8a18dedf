#!/bin/bash
# pathmap mtr --db against real servers on the small testbed: every row of
# the mtr report (JSON, -n) is an mtr_hops row, field by field, in SQLite
# (read with sqlite3) and in a PostgreSQL 15 this script starts on a private
# Unix socket (read with psql); on a database holding unicornscan's schema,
# one uni_scan row (mode_str mtr) and a uni_hops chain per target equal to
# the report's hosts; without --db nothing is stored; an unreachable server
# costs the rows only (report written, one line, exit 1); a malformed URL is
# refused before anything is sent (exit 2). Needs root. Everything it starts
# it stops (trap).
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$(readlink -f "${PATHMAP_BIN:-$SRC/build/bin/pathmap}")
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 missing (scripts/setup.sh installs it)"; exit 1; }
. "$SRC/tests/integration/store/pg_server.sh"
pg_require || exit 1
NAME=hsm$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-hop-store-mtr.XXXXXX)
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

pg_start "$WORK/pg" || exit 1
pg_createdb uni || exit 1
unicornscan_fixture uni || exit 1

timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
run() { timeout 60 "$TB" exec --name "$NAME" -- "$@"; }
# Two targets behind r6 (past the ECMP diamond and the silent r5), one per
# line of the JSON; -n: hosts are addresses, as the store keeps them.
MTR=(mtr -n 198.19.1.7 198.19.2.9 --allow 198.18.0.0/15 -c 8 --interval 50 --timeout 500 --json --quiet)

# The report's hubs as the rows mtr_hops must hold: target, hop, addr (NULL
# for ???), sent, received, lost, late, then last/best/avg/worst/stdev/jitter
# in µs (NULL when nothing came back in time). The JSON has ms to 3 places;
# one target is one indented object, several are one object a line.
report_rows() {
    $PY - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    reports = [json.loads(text)]
except json.JSONDecodeError:
    reports = [json.loads(line) for line in text.splitlines()]
for rep in reports:
    r = rep["report"]
    dst = r["mtr"]["dst"]
    for h in r["hubs"]:
        addr = "NULL" if h["host"] == "???" else h["host"]
        timely = h["Rcv"] > 0
        us = lambda k: str(round(h[k] * 1000)) if timely else "NULL"
        lost = max(h["Snt"] - h["Rcv"] - h["Late"], 0)
        print("\t".join(map(str, [dst, h["count"], addr, h["Snt"], h["Rcv"], lost, h["Late"],
                                  us("Last"), us("Best"), us("Avg"), us("Wrst"), us("StDev"), us("Javg")])))
PY
}
Q="SELECT ADDR(target), hop, coalesce(ADDR(addr), 'NULL'), sent, received, lost, late,
  coalesce(last_usT, 'NULL'), coalesce(best_usT, 'NULL'), coalesce(avg_usT, 'NULL'), coalesce(worst_usT, 'NULL'),
  coalesce(stdev_usT, 'NULL'), coalesce(jitter_usT, 'NULL') FROM SCHEMAmtr_hops WHERE scan_id = SCAN"
sqlite_rows() { local q=${Q//ADDR/}; q=${q//usT/us}; q=${q//SCHEMA/}; sqlite3 -separator $'\t' "$1" "${q//SCAN/$2}" | LC_ALL=C sort; }
pg_rows() { local q=${Q//ADDR/host}; q=${q//usT/us::text}; q=${q//SCHEMA/pathmap.}; psqlq "$1" -F $'\t' -c "${q//SCAN/$2}" | LC_ALL=C sort; }
same() { # WANT GOT WHAT
    if cmp -s "$1" "$2"; then return 0; fi
    echo "FAIL: $3 differ from the mtr report:"; diff "$1" "$2" | head -20; fail=1
}

# --- 1. Without --db nothing is stored (mtr writes no file unless asked). ---
mkdir "$WORK/cwd"
(cd "$WORK/cwd" && run "$BIN" "${MTR[@]}" -o "$WORK/plain.json")
check test $? = 0
check test -s "$WORK/plain.json"
check test -z "$(ls -A "$WORK/cwd")"

# --- 2. SQLite: every report row in mtr_hops, and each flow's path in traces. ---
run "$BIN" "${MTR[@]}" -o "$WORK/s.json" --db "sqlite:$WORK/mtr.db" --vantage ams1
check test $? = 0
report_rows "$WORK/s.json" | LC_ALL=C sort >"$WORK/s.want"
sqlite_rows "$WORK/mtr.db" 1 >"$WORK/s.got"
check test "$(wc -l <"$WORK/s.want")" -ge 8
same "$WORK/s.want" "$WORK/s.got" "SQLite mtr_hops"
check test "$(sqlite3 "$WORK/mtr.db" "SELECT mode, vantage, complete, targets, pps > 0, probes_sent > 0, json_extract(parameters, '$.rounds') FROM scans")" = \
    "mtr|ams1|1|198.19.1.7 198.19.2.9|1|1|8"
# One trace per target (one flow), reached, whose answered hops are the report's hosts.
check test "$(sqlite3 "$WORK/mtr.db" "SELECT group_concat(probe_dst_addr || ':' || flow_id || ':' || reached || ':' || probe_protocol, ' ') FROM (SELECT * FROM traces ORDER BY probe_dst_addr)")" = \
    "198.19.1.7:0:1:icmp 198.19.2.9:0:1:icmp"
for t in 198.19.1.7 198.19.2.9; do
    want=$($PY -c "import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)['report']
    if r['mtr']['dst'] == sys.argv[2]: print(' '.join(f\"{h['count']}:{h['host']}\" for h in r['hubs'] if h['host'] != '???'))" "$WORK/s.json" $t)
    got=$(sqlite3 "$WORK/mtr.db" "SELECT group_concat(probe_ttl || ':' || reply_src_addr, ' ') FROM (SELECT h.* FROM hops h JOIN traces t ON t.id = h.trace_id WHERE t.probe_dst_addr = '$t' AND reply_src_addr IS NOT NULL ORDER BY probe_ttl)")
    check test -n "$want"
    check test "$want" = "$got"
done

# --- 3. PostgreSQL with unicornscan's schema: mtr_hops, uni_scan, uni_hops. ---
run "$BIN" "${MTR[@]}" -o "$WORK/u.json" --db "$(pgurl uni)" --vantage lon1
check test $? = 0
report_rows "$WORK/u.json" | LC_ALL=C sort >"$WORK/u.want"
pg_rows uni 1 >"$WORK/u.got"
same "$WORK/u.want" "$WORK/u.got" "PostgreSQL mtr_hops"
check test "$(psqlq uni -c "SELECT mode, vantage, complete FROM pathmap.scans")" = "mtr|lon1|t"
check test "$(psqlq uni -c "SELECT mode_str, profile, num_hosts, target_str, scan_metadata->>'vantage' FROM uni_scan")" = \
    "mtr|pathmap|2|198.19.1.7 198.19.2.9|lon1"
check test "$(psqlq uni -c "SELECT uni_scan_id = (SELECT scan_id FROM uni_scan) FROM pathmap.scans")" = t
check test "$(psqlq uni -c "SELECT count(*) FROM uni_hops WHERE ipreport_id IS NOT NULL OR ttl_observed <> hop_number")" = 0
# The chain of each target, ordered by hop number, is the report's hosts
# (??? rows have no address and no uni_hops row), with the report's numbers.
psqlq uni -F $'\t' -c "SELECT host(target_addr), hop_number, host(hop_addr), rtt_us, extra_data->>'sent',
    extra_data->>'received', extra_data->>'loss', extra_data->>'best_us', extra_data->>'worst_us', extra_data->'others',
    extra_data->'flows' FROM uni_hops ORDER BY target_addr, hop_number" >"$WORK/chain.got"
$PY - "$WORK/u.json" >"$WORK/chain.want" <<'PY'
import json, sys
from decimal import Decimal, ROUND_HALF_UP
for line in open(sys.argv[1]):
    r = json.loads(line)["report"]
    for h in r["hubs"]:
        if h["host"] == "???":
            continue
        assert h["first_at_ttl"], h  # one flow, no branches: one address per hop
        loss = (1 - Decimal(h["Rcv"]) / Decimal(h["Snt"])).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        us = lambda k: str(round(h[k] * 1000))
        print("\t".join([r["mtr"]["dst"], str(h["count"]), h["host"], us("Avg"), str(h["Snt"]), str(h["Rcv"]),
                         str(loss), us("Best"), us("Wrst"), "[]", json.dumps(h["flows"])]))
PY
check test "$(wc -l <"$WORK/chain.want")" -ge 6
same "$WORK/chain.want" "$WORK/chain.got" "uni_hops chains"
echo "unicornscan: $(wc -l <"$WORK/chain.got") uni_hops rows for 2 targets, e.g.:"
psqlq uni -c "SELECT host(target_addr), hop_number, host(hop_addr), rtt_us, extra_data FROM uni_hops ORDER BY target_addr, hop_number LIMIT 2"

# --- 4. Branches: UDP, 8 flows through the ECMP diamond (r2 -> r3|r4). The
# chain takes the address with the most timely replies at each hop; the
# others are in extra_data, with the flows that cross each. ---
run "$BIN" mtr -n 198.19.1.7 --allow 198.18.0.0/15 --proto udp --flows 8 -c 6 --interval 50 --timeout 500 --json --quiet \
    -o "$WORK/e.json" --db "$(pgurl uni)"
check test $? = 0
report_rows "$WORK/e.json" | LC_ALL=C sort >"$WORK/e.want"
pg_rows uni 2 >"$WORK/e.got"
same "$WORK/e.want" "$WORK/e.got" "PostgreSQL mtr_hops (8 flows)"
check test "$(psqlq uni -c "SELECT count(*), min(probe_protocol), min(probe_dst_port) FROM pathmap.traces WHERE scan_id = 2")" = "8|udp|33434"
psqlq uni -F $'\t' -c "SELECT hop_number, host(hop_addr), extra_data->'others', extra_data->'flows' FROM uni_hops
    WHERE scan_id = (SELECT uni_scan_id FROM pathmap.scans WHERE id = 2) ORDER BY hop_number" >"$WORK/e-chain.got"
check $PY - "$WORK/e.json" "$WORK/e-chain.got" <<'PY'
import ipaddress, json, sys
hubs = json.load(open(sys.argv[1]))["report"]["hubs"]
got = {int(l.split("\t")[0]): l.rstrip("\n").split("\t") for l in open(sys.argv[2])}
hops = sorted({h["count"] for h in hubs if h["host"] != "???"})
assert sorted(got) == hops, (sorted(got), hops)
branched = 0
for n in hops:
    at = [h for h in hubs if h["count"] == n and h["host"] != "???"]
    top = max(h["Rcv"] for h in at)
    best = min((h for h in at if h["Rcv"] == top), key=lambda h: ipaddress.ip_address(h["host"]))
    _, addr, others, flows = got[n]
    assert addr == best["host"], (n, addr, best)
    assert sorted(json.loads(others)) == sorted(h["host"] for h in at if h is not best), (n, others)
    assert json.loads(flows) == best["flows"], (n, flows, best["flows"])
    branched += len(at) > 1
assert branched >= 1, "8 UDP flows never split at the ECMP diamond"
print(f"8 flows: {len(hops)} hops in the chain, {branched} with a second address in extra_data.others")
PY

# --- 5. Faults: an unreachable server, a malformed URL. ---
run "$BIN" "${MTR[@]}" -o "$WORK/down.json" --db "postgresql:///pm?host=$WORK/nowhere&user=postgres&connect_timeout=3" 2>"$WORK/down.err"
check test $? = 1
check test -s "$WORK/down.json"
check test "$(wc -l <"$WORK/down.err")" = 1
check grep -q "hop store not written (the report is)" "$WORK/down.err"
echo "unreachable server: $(cat "$WORK/down.err")"
run "$BIN" "${MTR[@]}" --db "mysql://db/x" >"$WORK/bad.out" 2>"$WORK/bad.err"
check test $? = 2
check test "$(wc -l <"$WORK/bad.err")" = 1
check test ! -s "$WORK/bad.out"  # refused before anything was sent

[ $fail = 0 ] && echo "hop_store_mtr_test: ok" || echo "hop_store_mtr_test: FAILED"
exit $fail
