#!/bin/bash
# A multi-homed prober (tests/topologies/multihomed.json: eth0 to r1 by
# default, eth1 to r8 for 198.19.128.0/17): Debian traceroute from the
# prober agrees with truth on each half (the eth1 half starts at r8), and
# pathmap sweep over both halves finds each half's true interfaces and no
# address of the other way round, with one summary.json route group per
# interface. Needs root; every packet stays in the testbed.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v traceroute >/dev/null || { echo "FAIL: traceroute missing (scripts/setup.sh installs it)"; exit 1; }
NAME=smh$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-multihomed.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/multihomed.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
CHECK="$SRC/tests/integration/sweep/check_multihomed.py"
fail=0

# a. One sink address per prober interface: the kernel's route picks the
# interface and source truth names, and traceroute (UDP and ICMP) sees
# truth's reply addresses hop by hop.
$PY -c '
import ipaddress, json, sys
t = json.load(open(sys.argv[1]))
seen = {}
for x in t["targets"]:
    if x["kind"] == "sink" and x["prober_iface"] not in seen:
        seen[x["prober_iface"]] = x
for iface, x in sorted(seen.items()):
    print(iface, x["source"], ipaddress.ip_network(x["prefix"]).network_address + 5)
' "$TRUTH" >"$WORK/picks.txt"
[ "$(wc -l <"$WORK/picks.txt")" = 2 ] || { echo "FAIL: truth has no sink target on one of eth0/eth1:"; cat "$WORK/picks.txt"; fail=1; }
while read -r iface src dst; do
    route=$(run ip -4 route get "$dst")
    case "$route" in
        *" dev $iface src $src "*) ;;
        *) echo "FAIL: route to $dst in the prober: '$route', truth says dev $iface src $src"; fail=1 ;;
    esac
    for mode in udp icmp; do
        flag=; [ $mode = icmp ] && flag=-I
        run traceroute -n $flag -q 2 -w 1 -m 10 "$dst" >"$WORK/tr-$dst-$mode.txt" 2>&1
        $PY "$CHECK" traceroute "$TRUTH" "$dst" "$WORK/tr-$dst-$mode.txt" "traceroute ($mode)" || { cat "$WORK/tr-$dst-$mode.txt"; fail=1; }
    done
done <"$WORK/picks.txt"

# b. pathmap sweep over every sink prefix of both halves.
$PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets'] if t['kind'] == 'sink']" "$TRUTH" >"$WORK/prefixes.txt"
if [ ! -x "$BIN" ]; then
    echo "FAIL: pathmap binary $BIN missing (set PATHMAP_BIN)"; fail=1
else
    run "$BIN" sweep -f "$WORK/prefixes.txt" --per-24 4 --flows 2 --allow 198.18.0.0/15 --rate 2000 --wait 1000 -q --no-graph -o "$WORK/sweep" 2>"$WORK/sweep.err"
    rc=$?
    [ $rc = 0 ] || { echo "FAIL: pathmap sweep exited $rc: $(tail -n 3 "$WORK/sweep.err" | tr '\n' ' ')"; fail=1; }
    $PY "$CHECK" sweep "$TRUTH" "$WORK/sweep" || fail=1
fi

[ $fail = 0 ] && echo "PASS: sweep multihomed" || echo "FAIL: sweep multihomed"
exit $fail
