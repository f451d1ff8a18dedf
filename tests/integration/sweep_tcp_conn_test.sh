#!/bin/bash
# A TCP sweep (dport 80) while the prober host keeps its own TCP connections
# to port 80 of a testbed sink (issue #11): reply_rx takes a SYN-ACK/RST only
# when its ack decodes to a plausible TTL and a send time of this run, so the
# host's connections must go on working.
#  - one long-lived connection, opened before the sweep, exchanges a message
#    every 50 ms throughout and after it, then closes cleanly;
#  - new connections open one after another while the sweep runs, each from
#    the source port the sweep's flow tag gives its address (so its SYN-ACK
#    passes reply_rx's port and tag checks and only the ack decoding can tell
#    it from a probe's): every handshake must complete at once (no SYN
#    retransmission), with no reset; XDP foreign_tag = 0 shows they collided.
# The testbed's sink listener accepts and closes; for data, 198.19.3.128/25:80
# on s1 is redirected to an echo server (tests/integration/sweep/tcp_conn.py).
# The sweep covers the lower half of every sink /24, the connections go to
# the upper halves: never the same 4-tuple as a probe. Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
HELPER="$SRC/tests/integration/sweep/tcp_conn.py"
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v iptables >/dev/null || { echo "FAIL: iptables missing (the testbed needs it too)"; exit 1; }
for _ in $(seq 60); do [ -x "$BIN" ] && break; sleep 1; done  # a rebuild may be replacing it
[ -x "$BIN" ] || { echo "FAIL: no pathmap binary at $BIN"; exit 1; }

NAME=stc$$
NAME=${NAME:0:10}
TB="$SRC/scripts/testbed"
PNS=pm$NAME-prober
S1NS=pm$NAME-s1
WORK=$(mktemp -d /tmp/pm-sweep-tcp-conn.XXXXXX)
echo_pid= client_pid= sweep_pid=
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
cleanup() {
    stop "$sweep_pid"; stop "$client_pid"; stop "$echo_pid"
    "$TB" down --name "$NAME" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
t_start=$(date +%s.%N)

"$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }

# Echo service on s1 behind port 80 of 198.19.3.128/25 (the sink's own listener keeps the rest).
ip netns exec "$S1NS" iptables -t nat -A PREROUTING -p tcp -d 198.19.3.128/25 --dport 80 -j REDIRECT --to-ports 8080 \
    || { echo "FAIL: iptables REDIRECT in $S1NS"; exit 1; }
ip netns exec "$S1NS" timeout 300 "$PY" "$HELPER" echo-server 8080 "$WORK/echo.ready" 240 >"$WORK/echo.log" 2>&1 &
echo_pid=$!
for _ in $(seq 100); do [ -e "$WORK/echo.ready" ] && break; sleep 0.1; done
[ -e "$WORK/echo.ready" ] || { cat "$WORK/echo.log"; echo "FAIL: echo server on s1 did not start"; exit 1; }

# Host connections: a long-lived one to the echo service, then fresh ones to the
# upper half of s1's and s3's /24s while the sweep runs (not s2: its path drops 20%).
addrs=$("$PY" -c "print(','.join(f'198.19.{(1, 2, 3, 4)[i % 4]}.{130 + i // 4}' for i in range(120)))")
WAIT_MS=1000
timeout 300 "$TB" exec --name "$NAME" -- "$PY" "$HELPER" client --long 198.19.3.250 --addrs "$addrs" \
    --echo-prefix 198.19.3.128/25 --sweep-log "$WORK/sweep.err" --pid-file "$WORK/sweep.pid" \
    --ready "$WORK/client.ready" --out "$WORK/client.json" --interval 0.1 --long-interval 0.05 \
    --max-ttl 32 --max-age-ms $((WAIT_MS + 1000)) --deadline 200 >"$WORK/client.log" 2>&1 &
client_pid=$!
for _ in $(seq 150); do
    [ -e "$WORK/client.ready" ] && break
    kill -0 "$client_pid" 2>/dev/null || break
    sleep 0.1
done
[ -e "$WORK/client.ready" ] || { cat "$WORK/client.log"; echo "FAIL: the long-lived connection to 198.19.3.250:80 could not be opened before the sweep"; exit 1; }

# The sweep: every address of the lower half of each sink /24, TCP SYN to port 80.
# -v: the client reads the run id from the log line of the attached session.
ip netns exec "$PNS" timeout 180 "$BIN" -v sweep 198.19.1.0/25 198.19.2.0/25 198.19.3.0/25 198.19.4.0/25 198.19.10.0/25 \
    --all-hosts --proto tcp --port 80 --allow 198.18.0.0/15 --rate 300 --wait $WAIT_MS -q --no-graph \
    -o "$WORK/out" 2>"$WORK/sweep.err" &
sweep_pid=$!
echo "$sweep_pid" >"$WORK/sweep.pid.tmp" && mv "$WORK/sweep.pid.tmp" "$WORK/sweep.pid"
wait "$sweep_pid"
sweep_rc=$?
sweep_pid=
wait "$client_pid"
client_rc=$?
client_pid=
stop "$echo_pid"; echo_pid=

fail=0
if [ "$sweep_rc" != 0 ]; then
    echo "FAIL: pathmap sweep --proto tcp exited $sweep_rc"; tail -5 "$WORK/sweep.err"; fail=1
fi
if [ "$client_rc" != 0 ] || [ ! -s "$WORK/client.json" ]; then
    echo "FAIL: the connection client exited $client_rc without a report"; tail -5 "$WORK/client.log"; fail=1
fi
"$PY" "$HELPER" judge "$WORK/client.json" "$WORK/out" 20 || fail=1
# Each reached target at its true distance: a half-open connection left by an
# earlier SYN (the preprobe's) once made the target answer the next TTL's SYN
# with a bare ACK, and every trace ended one hop late. Not s2's /24: its path
# drops 20% of the probes, so some traces rightly meet it one TTL late.
"$PY" "$SRC/tests/integration/sweep/check_sweep.py" distance "$("$TB" truth --name "$NAME")" "$WORK/out" 400 198.19.10.0/24 || fail=1
t_end=$(date +%s.%N)
secs=$("$PY" -c "print(f'{$t_end - $t_start:.1f}')")
[ $fail = 0 ] && echo "PASS: sweep TCP with host connections (${secs} s)" || echo "FAIL: sweep TCP with host connections (${secs} s)"
exit $fail
