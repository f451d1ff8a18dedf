#!/bin/bash
# pathmap sweep on the small testbed: finds every ground-truth interface and
# link of responsive routers, agrees with Debian's scamper per target and
# hop, works with every protocol and send path, writes partial results on
# SIGINT, and refuses blocklisted targets with one line. Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v scamper >/dev/null && command -v sc_warts2json >/dev/null || { echo "FAIL: scamper missing (scripts/setup.sh installs it)"; exit 1; }
NAME=swt$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-test.XXXXXX)
cleanup() { "$SRC/scripts/testbed" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
TB="$SRC/scripts/testbed"
"$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }

# 1. Discovery against ground truth: every target prefix, 8 addresses per /24, 2 flows.
$PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets']]" "$TRUTH" >"$WORK/prefixes.txt"
run "$BIN" sweep -f "$WORK/prefixes.txt" --per-24 8 --flows 2 --allow 198.18.0.0/15 --rate 5000 --wait 1000 -q --no-graph -o "$WORK/disc"
check test $? = 0
check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$TRUTH" "$WORK/disc"
# The final drain ends once replies stop (a multiple of the max RTT), well before --wait.
check $PY -c "import json,sys; s=json.load(open(sys.argv[1])); p=s['phase_s']; sys.exit(0 if 0 < p['drain'] < 0.9 and s['max_rtt_ms'] > 0 and s['hole_passes'] <= 3 else 1)" "$WORK/disc/summary.json"

# 2. Same targets as scamper (icmp-paris), complete traces, hop by hop.
printf '198.19.1.5\n198.19.2.5\n198.19.3.5\n198.19.4.5\n198.19.10.5\n' >"$WORK/five.txt"
run "$BIN" sweep -f "$WORK/five.txt" --allow 198.18.0.0/15 --complete-traces --wait 1000 -q --no-graph -o "$WORK/pm5"
check test $? = 0
run scamper -c 'trace -P icmp-paris' -p 1000 -O warts -o "$WORK/sc.warts" -f "$WORK/five.txt"
sc_warts2json "$WORK/sc.warts" >"$WORK/sc.json"
check $PY "$SRC/tests/integration/sweep/check_sweep.py" scamper "$TRUTH" "$WORK/pm5" "$WORK/sc.json"

# 3. Every protocol and every send path reaches 198.19.1.5 along the true path.
for combo in icmp:afxdp udp:afxdp tcp:afxdp icmp:packet icmp:raw udp:raw tcp:packet; do
    proto=${combo%%:*} txk=${combo##*:}
    run "$BIN" sweep 198.19.1.5 --proto "$proto" --tx "$txk" --allow 198.18.0.0/15 --complete-traces --wait 500 --hole-passes 1 -q --no-graph -o "$WORK/p-$proto-$txk"
    check test $? = 0
    check $PY "$SRC/tests/integration/sweep/check_sweep.py" path "$TRUTH" "$WORK/p-$proto-$txk" 198.19.1.5 "$txk"
done

# 4. SIGINT mid-sweep: partial outputs marked incomplete.
ip netns exec "pm$NAME-prober" "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate 2000 --wait 500 --no-graph -o "$WORK/int" 2>"$WORK/int.err" &
pid=$!
# Interrupt once probes are going out (a fixed sleep raced a slow start under load).
for _ in $(seq 60); do grep -q "sent [1-9]" "$WORK/int.err" 2>/dev/null && break; sleep 0.5; done
kill -INT "$pid"  # ip netns exec execs pathmap: same pid
wait "$pid"
check test -s "$WORK/int/summary.json"
check $PY -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s['complete'] is False and s['probes_sent']>0 else 1)" "$WORK/int/summary.json"
# Interrupted: the drain keeps the whole --wait (500 ms), not the adaptive one.
check $PY -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s['phase_s']['drain'] >= 0.45 else 1)" "$WORK/int/summary.json"
check $PY -c "import json,sys; ls=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if len(ls)==65536 and any(t['stop_reason']=='interrupted' for t in ls) else 1)" "$WORK/int/traces.jsonl"

# 5. Bad targets: non-zero exit, one line, nothing sent.
for args in "10.0.0.0/8" "198.19.1.0/24" "198.19.1.1/24" ""; do
    out=$(run "$BIN" sweep $args -o "$WORK/bad" 2>&1 >/dev/null)
    rc=$?
    check test "$rc" -ne 0
    check test "$(printf '%s\n' "$out" | wc -l)" = 1
done

[ $fail = 0 ] && echo "PASS: sweep integration" || echo "FAIL: sweep integration"
exit $fail
