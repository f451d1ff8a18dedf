#!/bin/bash
# Two pathmap runs on one interface (small testbed). The first takes the XDP
# hook; the second finds it taken and receives through an AF_PACKET socket
# after it (the first passes what is not its own). Both orders: a sweep with
# an mtr beside it, an mtr with a sweep beside it. Each run must agree with
# truth, say which receive path it used, and leave no program attached.
# Also a sweep with --rx packet alone. Needs root; every packet stays in the
# testbed.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
NAME=ssh$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-shared.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { jobs -p | xargs -r kill 2>/dev/null; wait 2>/dev/null; timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }
$PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets']]" "$TRUTH" >"$WORK/prefixes.txt"
SWEEP=("$BIN" sweep -f "$WORK/prefixes.txt" --per-24 8 --flows 2 --allow 198.18.0.0/15 --wait 1000 -q --no-graph --rdns none)
MTR=("$BIN" mtr -n --allow 198.18.0.0/15 --json --interval 200)
# The mtr's hops for 198.19.1.5 are truth's (one of its ECMP paths), none lost at an answering hop.
mtr_ok() {
    $PY - "$TRUTH" "$1" "$2" <<'PYEOF'
import json, sys
truth, ours, summary = (json.load(open(p)) for p in sys.argv[1:4])
t = next(x for x in truth["targets"] if x["prefix"] == "198.19.1.0/24")
hubs = json.load(open(sys.argv[2]))["report"]["hubs"]
hosts = [h["host"] for h in hubs]
ok = any(all(h == (a or "???") for h, a in zip(hosts, p)) for p in t["paths"]) and hosts[-1] == "198.19.1.5"
ok = ok and all(h["Loss%"] == 0 for h in hubs if h["host"] != "???")
print(f"mtr hops {hosts}, engine '{summary['engine']}': {'as truth' if ok else 'NOT as truth'}")
sys.exit(0 if ok else 1)
PYEOF
}
engine_has() { $PY -c "import json,sys; e=json.load(open(sys.argv[1]))[sys.argv[2]]; print(e); sys.exit(0 if sys.argv[3] in e else 1)" "$@"; }
no_xdp_left() { ! run ip -d link show dev eth0 | grep -q "prog/xdp"; }

# 1. --rx packet alone finds what the XDP path finds.
run "${SWEEP[@]}" --rate 5000 --rx packet -o "$WORK/pkt" 2>"$WORK/pkt.err"
check test $? = 0
check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$TRUTH" "$WORK/pkt"
check engine_has "$WORK/pkt/summary.json" tx "replies through AF_PACKET"

# 2. A slow sweep holds the hook; an mtr started meanwhile receives after it.
run "${SWEEP[@]}" --rate 100 -o "$WORK/s2" 2>"$WORK/s2.err" &
spid=$!
sleep 1.5
run "${MTR[@]}" -c 5 --summary "$WORK/m2.sum" 198.19.1.5 >"$WORK/m2.json" 2>"$WORK/m2.err"
check test $? = 0
wait $spid
check test $? = 0
check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$TRUTH" "$WORK/s2"
check engine_has "$WORK/s2/summary.json" tx "XDP replies"
check mtr_ok "$WORK/m2.json" "$WORK/m2.sum"
check engine_has "$WORK/m2.sum" engine "replies through AF_PACKET"
# The sweep's program passed the mtr's replies on (foreign tag), it did not take them.
check $PY -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))['xdp']['foreign_tag'] > 0 else 1)" "$WORK/s2/summary.json"
check no_xdp_left

# 3. The other way round: an mtr holds the hook, a sweep starts meanwhile.
run "${MTR[@]}" -c 25 --summary "$WORK/m3.sum" 198.19.1.5 >"$WORK/m3.json" 2>"$WORK/m3.err" &
mpid=$!
sleep 1
run "${SWEEP[@]}" --rate 2000 -o "$WORK/s3" 2>"$WORK/s3.err"
check test $? = 0
wait $mpid
check test $? = 0
check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$TRUTH" "$WORK/s3"
check engine_has "$WORK/s3/summary.json" tx "replies through AF_PACKET"
check mtr_ok "$WORK/m3.json" "$WORK/m3.sum"
check engine_has "$WORK/m3.sum" engine "XDP replies"
check no_xdp_left

# 4. --rx xdp refuses to share: one line, non-zero exit, while another run holds the hook.
run "${MTR[@]}" -c 15 198.19.1.5 >/dev/null 2>&1 &
mpid=$!
sleep 1
msg=$(run "${SWEEP[@]}" --rate 2000 --rx xdp -o "$WORK/s4" 2>&1 >/dev/null); rc=$?
wait $mpid
check test $rc != 0
echo "--rx xdp beside another run -> rc $rc: $(echo "$msg" | tail -n 1)"
check test "$(echo "$msg" | grep -c 'attaching reply_rx')" = 1

[ $fail = 0 ] && echo "PASS: sweep shared interface" || echo "FAIL: sweep shared interface"
exit $fail
