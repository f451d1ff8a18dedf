#!/usr/bin/env bash
# `pathmap sweep` and `pathmap mtr` share one blocklist: for a target in a
# special-purpose block both exit 2 with the same single line, and --allow
# opens exactly the block it names. Run inside a fresh namespace with no
# interface but a downed loopback, so even a broken check could send nothing.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }

NS=pmblk$$
NS=${NS:0:14}
OUT=$(mktemp -d /tmp/pathmap-blocklist-test.XXXXXX)
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }

fail=0
check() { if ! "$@"; then echo "FAIL: $*"; fail=1; fi; }
# run CMD... -> stderr in $OUT/err, exit code in $rc
run() { timeout 20 ip netns exec "$NS" "$BIN" "$@" > "$OUT/out" 2> "$OUT/err"; rc=$?; }

same_refusal() { # TARGET EXPECTED_BLOCK [extra args]
    local target=$1 block=$2
    shift 2
    run sweep "$target" "$@" -q --no-graph -o "$OUT/sweep"
    local sweep_rc=$rc sweep_err
    sweep_err=$(cat "$OUT/err")
    run mtr "$target" "$@" --report
    check test "$sweep_rc" = 2
    check test "$rc" = 2
    check test "$(wc -l < "$OUT/err")" = 1
    check test "$(printf '%s\n' "$sweep_err" | wc -l)" = 1
    if [ "$sweep_err" != "$(cat "$OUT/err")" ]; then
        echo "FAIL: $target: sweep and mtr differ:"
        echo "  sweep: $sweep_err"
        echo "  mtr:   $(cat "$OUT/err")"
        fail=1
    fi
    check grep -qF "is in $block" "$OUT/err"
    check grep -qF -- "--allow $block" "$OUT/err"
    check test ! -s "$OUT/out"
}

same_refusal 192.88.99.1 192.88.99.0/24
same_refusal 10.1.2.3 10.0.0.0/8
same_refusal 198.19.1.7 198.18.0.0/15
same_refusal 192.0.2.0/24 192.0.2.0/24
same_refusal 255.255.255.255 255.255.255.255/32
same_refusal 224.0.0.1 224.0.0.0/4
# --allow opens exactly what it names: the other half of 198.18.0.0/15 and
# 10/8 stay closed, with the same line from both commands.
same_refusal 198.19.1.7 198.18.0.0/15 --allow 198.18.0.0/16
same_refusal 10.1.2.3 10.0.0.0/8 --allow 192.88.99.0/24
echo "refusals of both commands agree: $(cat "$OUT/err")"

# A bad --allow: the same line from both.
run sweep 198.19.1.7 --allow 10.0.0.1/8 -q --no-graph -o "$OUT/sweep"
sweep_err=$(cat "$OUT/err")
run mtr 198.19.1.7 --allow 10.0.0.1/8 --report
check test "$rc" = 2
check test "$sweep_err" = "$(cat "$OUT/err")"
check grep -qF -- "--allow 10.0.0.1/8: not a CIDR prefix" "$OUT/err"

# An allowed target gets past the blocklist: the error, if any, is no longer
# a refusal (this namespace has no route, so mtr fails later or reports ???).
run mtr 198.19.1.7 --allow 198.18.0.0/15 --report -c 1 --interval 100 --timeout 100
check test "$(grep -c 'special-purpose block' "$OUT/err")" = 0

[ $fail = 0 ] && echo "PASS: mtr/sweep blocklist" || echo "FAIL: mtr/sweep blocklist"
exit $fail
