#!/bin/bash
# `pathmap sweep --mda` (issue 16) on the default testbed (diamonds r2 ->
# r3a|r3b -> r4 and r5 -> r6a|r6b -> r7) and on tests/topologies/large.json
# (three diamonds), against the ground truth and Debian's scamper tracelb on
# the same destinations (two per distinct set of diamonds on the way, up to
# six): every branch of every diamond of the truth is found and leads to the
# truth's next router, every hop where tracelb found several next hops has at
# least those in pathmap, summary.json's "mda" block matches the traces, the
# graph holds every branch link, and the MDA phase spends fewer probes than
# tracelb. Then a whole /16 with --mda: one destination per distinct last
# router, every truth diamond on their paths, the sweep's discovery exact.
# Bad --mda input is one line and exit 2. Needs root; every packet stays in
# the testbed's namespaces.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for tool in scamper sc_warts2json; do
    command -v $tool >/dev/null || { echo "FAIL: $tool missing (scripts/setup.sh)"; exit 1; }
done
NAME=mda$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-mda.XXXXXX)
TB="$SRC/scripts/testbed"
# PATHMAP_KEEP=1 keeps the outputs (pathmap's, tracelb's) in $WORK.
cleanup() {
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1
    ip netns del "pm$NAME-cli" 2>/dev/null
    if [ "${PATHMAP_KEEP:-0}" = 1 ]; then echo "outputs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }
now() { date +%s.%N; }
elapsed() { $PY -c "print(f'{$2 - $1:.1f}')"; }

# Destinations: the first address of up to two sink prefixes (with distinct
# last routers) per distinct set of diamonds on their path, at most six: each
# diamond is crossed twice, so a branch the MDA's 5% per hop misses toward one
# destination is (almost always) found toward the other.
pick() {
    $PY - "$1" <<'PY'
import ipaddress, json, sys
truth = json.load(open(sys.argv[1]))
def diamonds(t):
    h = t["hops"]
    return tuple(h[i][0] for i in range(len(h) - 1)
                 if h[i] and len(h[i]) == 1 and h[i][0] and h[i + 1] and len(h[i + 1]) >= 2)
sinks = [t for t in truth["targets"] if t["kind"] == "sink" and diamonds(t)]
sinks.sort(key=lambda t: (-len(diamonds(t)), -len(t["hops"]), t["prefix"]))
out, count, last = [], {}, set()
for t in sinks:
    sig, end = diamonds(t), (t["hops"][-1][0] if t["hops"][-1] else None)
    if count.get(sig, 0) >= 2 or end in last:
        continue
    out.append(t)
    count[sig] = count.get(sig, 0) + 1
    last.add(end)
    if len(out) == 6:
        break
print(" ".join(str(ipaddress.ip_network(t["prefix"]).network_address + 1) for t in out))
PY
}

run_topology() {
    local topo=$1 label=$2
    local dir="$WORK/$label"
    mkdir -p "$dir"
    timeout 120 "$TB" up "$SRC/tests/topologies/$topo" --name "$NAME" >"$dir/up.log" 2>&1 ||
        { cat "$dir/up.log"; echo "FAIL: testbed up $topo"; fail=1; return; }
    local truth dsts
    truth=$("$TB" truth --name "$NAME")
    dsts=$(pick "$truth")
    echo "== $label: destinations $dsts"
    [ -n "$dsts" ] || { echo "FAIL: $label: no destination behind a diamond"; fail=1; }
    # pathmap first: the sweep (UDP, so its flow 0 is the MDA's first flow) and its MDA phase.
    local t0 t1
    t0=$(now)
    # shellcheck disable=SC2086
    timeout 120 "$TB" exec --name "$NAME" -- "$BIN" sweep $dsts --proto udp --mda --allow 198.18.0.0/15 \
        --seed 7 -q --no-db -o "$dir/pm" 2>"$dir/pm.err"
    check test $? = 0
    t1=$(now)
    elapsed "$t0" "$t1" > "$dir/pm_wall"
    cat "$dir/pm.err"
    sleep 2 # rate-limited routers refill before tracelb asks them
    t0=$(now)
    # shellcheck disable=SC2086
    timeout 150 "$TB" exec --name "$NAME" -- scamper -O warts -o "$dir/lb.warts" -c "tracelb -P udp-dport -q 1 -W 15" \
        -i $dsts >"$dir/lb.log" 2>&1
    check test $? = 0
    t1=$(now)
    elapsed "$t0" "$t1" > "$dir/lb_wall"
    sc_warts2json "$dir/lb.warts" > "$dir/lb.json"
    check $PY "$SRC/tests/integration/sweep/check_mda.py" "$truth" "$dir/pm" "$dir/lb.json" "$label"
    # A sweep without --mda writes no MDA flows and no "mda" block.
    timeout 60 "$TB" exec --name "$NAME" -- "$BIN" sweep ${dsts%% *} --allow 198.18.0.0/15 -q --no-db --no-graph \
        -o "$dir/plain" 2>/dev/null
    check $PY - "$dir/plain" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
lines = [json.loads(l) for l in open(sys.argv[1] + "/traces.jsonl")]
ok = "mda" not in s and "mda" not in s["probes_by_phase"] and all(t["flow_id"] == 0 and t["stop_reason"] != "mda" for t in lines)
print("plain sweep: no MDA" if ok else "plain sweep: MDA output without --mda")
sys.exit(0 if ok else 1)
PY
    # A whole /16: one destination per distinct last router, every diamond of
    # the truth on their paths, and the sweep's discovery still exact.
    timeout 120 "$TB" exec --name "$NAME" -- "$BIN" sweep 198.19.0.0/16 --proto udp --mda --allow 198.18.0.0/15 \
        --seed 7 -q --no-db --no-graph -o "$dir/all" 2>/dev/null
    check test $? = 0
    check $PY "$SRC/tests/integration/sweep/check_mda.py" "$truth" "$dir/all" - "$label /16"
    check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$truth" "$dir/all"
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1
}

run_topology default.json default
run_topology large.json large

# Bad input: one line on stderr, exit 2, nothing sent (run in a testbed-free
# namespace of our own: the checks come before any socket).
ip netns add "pm$NAME-cli" || { echo "FAIL: netns"; exit 1; }
bad() {
    local want=$1; shift
    local rc=0
    ip netns exec "pm$NAME-cli" "$BIN" sweep 198.19.0.1 --allow 198.18.0.0/15 -q --no-db -o "$WORK/bad" "$@" \
        >/dev/null 2>"$WORK/bad.err" || rc=$?
    if [ $rc -ne 2 ] || [ "$(wc -l < "$WORK/bad.err")" -ne 1 ] || ! grep -q -- "$want" "$WORK/bad.err"; then
        echo "FAIL: sweep $* gave exit $rc and:"; cat "$WORK/bad.err"; fail=1
    else
        echo "bad input refused: $* -> $(cat "$WORK/bad.err")"
    fi
}
bad "strictly between 0 and 1" --mda --mda-confidence 1
bad "strictly between 0 and 1" --mda --mda-confidence 0
bad "strictly between 0 and 1" --mda --mda-confidence -0.5
bad "drop --flows" --mda --flows 4
rc=0
ip netns exec "pm$NAME-cli" "$BIN" sweep 198.19.0.1 --allow 198.18.0.0/15 -q --no-db -o "$WORK/bad" --mda-confidence 0.9 \
    >/dev/null 2>"$WORK/bad.err" || rc=$?
if [ $rc -eq 0 ] || ! grep -q -- "--mda" "$WORK/bad.err"; then
    echo "FAIL: --mda-confidence without --mda gave exit $rc"; cat "$WORK/bad.err"; fail=1
fi
ip netns del "pm$NAME-cli"

[ $fail = 0 ] && echo "sweep_mda_test: ok" || echo "sweep_mda_test: FAILED"
exit $fail
