#!/bin/bash
# A sweep too large for --max-memory is refused with one line and exit 2
# before anything is allocated for it or sent; a bad size too. Runs pathmap in
# a new, empty network namespace (no interface but a down loopback), so even
# a sweep that got past the check could not send a packet. Needs root.
set -u
BIN=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
WORK=$(mktemp -d /tmp/pm-sweep-memory.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail=0
run() { timeout 60 unshare -n "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"; echo $?; }
rc=$(run sweep 10.0.0.0/8 --all-hosts --allow 10.0.0.0/8 -o "$WORK/o")
msg=$(cat "$WORK/err")
echo "/8 --all-hosts: exit $rc: $msg"
[ "$rc" = 2 ] || { echo "FAIL: want exit 2, got $rc"; fail=1; }
[ "$(wc -l < "$WORK/err")" = 1 ] || { echo "FAIL: want one line"; fail=1; }
case "$msg" in *"16777216 targets"*"--max-memory 4.0 GiB"*) ;; *) echo "FAIL: the line does not name the targets and the limit"; fail=1 ;; esac
[ ! -e "$WORK/o/traces.jsonl" ] || { echo "FAIL: a refused sweep wrote traces"; fail=1; }
rc=$(run sweep 10.0.0.0/16 --all-hosts --allow 10.0.0.0/8 --max-memory 64M -o "$WORK/o")
echo "/16 under --max-memory 64M: exit $rc: $(cat "$WORK/err")"
[ "$rc" = 2 ] && grep -q "max-memory 64 MiB" "$WORK/err" || { echo "FAIL: a /16 should not fit in 64 MiB"; fail=1; }
rc=$(run sweep 10.0.0.0/16 --allow 10.0.0.0/8 --max-memory 4X -o "$WORK/o")
echo "bad size: exit $rc: $(cat "$WORK/err")"
[ "$rc" = 2 ] && grep -q "not a size" "$WORK/err" || { echo "FAIL: a bad --max-memory should be a usage error"; fail=1; }
# Under the limit the check passes: the run then fails for want of a route
# (exit 1), not for memory.
rc=$(run sweep 10.0.0.0/24 --all-hosts --allow 10.0.0.0/8 -o "$WORK/o")
echo "/24: exit $rc: $(head -1 "$WORK/err")"
grep -q "max-memory" "$WORK/err" && { echo "FAIL: a /24 was refused for memory"; fail=1; }
[ "$rc" != 0 ] || { echo "FAIL: a sweep with no route should not succeed"; fail=1; }
[ $fail = 0 ] && echo "sweep_memory_test: ok" || echo "sweep_memory_test: FAILED"
exit $fail
