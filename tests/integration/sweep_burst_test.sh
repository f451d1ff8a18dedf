#!/bin/bash
# Bounded bursts on the wire: tcpdump inside the small testbed's first
# router counts the sweep's probes as they arrive; at --rate 5000 and
# 100000 no 10 ms window may carry more than twice its share plus one batch
# of 8 (routers' ICMP rate limits punish bursts with silence). Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v tcpdump >/dev/null || { echo "FAIL: tcpdump missing (scripts/setup.sh installs it)"; exit 1; }
NAME=swb$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-burst.XXXXXX)
TB="$SRC/scripts/testbed"
TCPDUMP_PID=
cleanup() {
    [ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
PROBER=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['prober']['addr'])" "$TRUTH" 2>/dev/null || echo 198.18.0.2)
fail=0
# RATE CIDR: one sweep captured at r1 (its inbound side only, so each probe counts once).
check_rate() {
    local rate=$1 cidr=$2 cap="$WORK/cap-$1.pcap"
    # Headers only, into a file: formatting text lost half the packets at 100 kpps.
    ip netns exec "pm$NAME-r1" timeout 120 tcpdump -i any -Q in -n -s 64 -B 131072 -w "$cap" "src host $PROBER and not arp" 2>"$cap.err" &
    TCPDUMP_PID=$!
    sleep 1
    timeout 120 "$TB" exec --name "$NAME" -- "$BIN" sweep "$cidr" --all-hosts --allow 198.18.0.0/15 --rate "$rate" --wait 300 \
        --hole-passes 1 -q --no-graph -o "$WORK/out-$rate" >"$WORK/sweep-$rate.log" 2>&1 || { echo "FAIL: sweep at $rate pps"; tail -5 "$WORK/sweep-$rate.log"; fail=1; }
    sleep 0.5
    kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; TCPDUMP_PID=
    $PY - "$cap" "$rate" "$WORK/out-$rate/summary.json" "$cap.err" <<'PY' || fail=1
import json, re, struct, sys
cap, rate, summary, err = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3])), open(sys.argv[4]).read()
data = open(cap, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
assert magic in (0xA1B2C3D4, 0xA1B23C4D), f"not a little-endian pcap: {magic:#x}"
scale = 1e-6 if magic == 0xA1B2C3D4 else 1e-9
ts, off = [], 24
while off + 16 <= len(data):
    sec, frac, incl, _ = struct.unpack_from("<IIII", data, off)
    ts.append(sec + frac * scale)
    off += 16 + incl
dropped = re.search(r"(\d+) packets? dropped by kernel", err)
dropped = int(dropped.group(1)) if dropped else 0
share = rate / 100
bound = 2 * share + 8
peak, first = 0, 0
for i, t in enumerate(ts):
    while t - ts[first] >= 0.010:
        first += 1
    peak = max(peak, i - first + 1)
sent = summary["probes_sent"]
print(f"{rate} pps: {len(ts)} probes captured of {sent} sent ({dropped} dropped by tcpdump), "
      f"busiest 10 ms window {peak} (share {share:.0f}, bound {bound:.0f}), pacer shortfall {summary.get('tx_stats', {}).get('pacer_lost', 'n/a')}")
ok = True
if len(ts) + dropped < 0.95 * sent:
    print(f"FAIL: the capture saw {len(ts)} of {sent} probes"); ok = False
if peak > bound:
    print(f"FAIL: {peak} probes in one 10 ms window at {rate} pps (bound {bound:.0f})"); ok = False
sys.exit(0 if ok else 1)
PY
}
check_rate 5000 198.19.0.0/21
check_rate 100000 198.19.0.0/16
[ $fail = 0 ] && echo "sweep_burst_test: ok" || echo "sweep_burst_test: FAILED"
exit $fail
