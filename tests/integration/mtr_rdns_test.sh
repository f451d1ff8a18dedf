#!/bin/bash
# pathmap mtr's hop names on tests/topologies/small.json, through the
# testbed's own dnsmasq (the prober's /etc/netns/NS/resolv.conf): names by
# default, -n addresses, -b "name (addr)" (-w uncut), each checked against
# truth.json's rdns map and against Debian mtr's -r / -r -b / -r -b -w /
# --json output for the same target; --resolver naming that server gives the
# same names; a resolver that never answers (198.18.250.250, nowhere in the
# testbed) costs a bounded time, one warning line, and leaves addresses; a
# bad --resolver list fails with one line. Needs root; every packet stays in
# the testbed's namespaces.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
command -v mtr >/dev/null || { echo "mtr (mtr-tiny) missing: run scripts/setup.sh"; exit 1; }
NAME=mrd$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-mtr-rdns.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
DNS=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["dns"]["addr"])' "$TRUTH")
X() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
# 198.19.1.7: r1, r2, the r3|r4 fork, silent r5 (???), r6, the target (no name).
T=198.19.1.7
DEAD=198.18.250.250
fail=0
pm() { # pm NAME ARGS...: one run, its table on stdout, JSON and CSV beside it
  local n=$1
  shift
  X "$BIN" mtr "$T" --allow 198.18.0.0/15 -c 5 --interval 100 --timeout 500 --report \
    --json-file "$WORK/$n.json" --csv-file "$WORK/$n.csv" "$@" >"$WORK/$n.txt" 2>"$WORK/$n.err" ||
    { echo "FAIL: pathmap mtr $* (exit $?)"; cat "$WORK/$n.err"; fail=1; }
}

echo "== pathmap mtr: names (default), -n, -b -w, -b, --resolver $DNS"
pm named
pm plain -n
pm both -b -w
pm bothcut -b
pm resolver --resolver "$DNS"
cat "$WORK/named.txt" "$WORK/both.txt"
for n in named plain both bothcut resolver; do
  [ -s "$WORK/$n.err" ] && { echo "FAIL: stderr from the $n run:"; cat "$WORK/$n.err"; fail=1; }
done

echo "== Debian mtr on the same target"
X mtr -r -G 1 -c 3 -i 0.2 "$T" >"$WORK/mtr_named.txt" || { echo "FAIL: mtr -r"; fail=1; }
X mtr -r -b -w -G 1 -c 3 -i 0.2 "$T" >"$WORK/mtr_both.txt" || { echo "FAIL: mtr -r -b -w"; fail=1; }
X mtr -r -b -G 1 -c 3 -i 0.2 "$T" >"$WORK/mtr_bothcut.txt" || { echo "FAIL: mtr -r -b"; fail=1; }
X mtr --json -G 1 -c 3 -i 0.2 "$T" >"$WORK/mtr_named.json" || { echo "FAIL: mtr --json"; fail=1; }
X mtr --json -b -G 1 -c 3 -i 0.2 "$T" >"$WORK/mtr_both.json" || { echo "FAIL: mtr --json -b"; fail=1; }
cat "$WORK/mtr_named.txt" "$WORK/mtr_both.txt"

echo "== a resolver that does not answer ($DEAD, --rdns-timeout 300)"
# The same run with -n first: the dead resolver may add at most the final
# wait for names (2 x 300 + 500 ms) and some slack, never its timeouts per hop.
t0=$(date +%s%N)
X "$BIN" mtr "$T" --allow 198.18.0.0/15 -c 3 --interval 100 --timeout 300 -n >/dev/null 2>&1
t1=$(date +%s%N)
X "$BIN" mtr "$T" --allow 198.18.0.0/15 -c 3 --interval 100 --timeout 300 --resolver "$DEAD" --rdns-timeout 300 \
  --report --json-file "$WORK/dead.json" --summary "$WORK/dead_summary.json" >"$WORK/dead.txt" 2>"$WORK/dead.err" ||
  { echo "FAIL: pathmap mtr with a dead resolver exited non-zero"; fail=1; }
t2=$(date +%s%N)
plain_ms=$(((t1 - t0) / 1000000))
dead_ms=$(((t2 - t1) / 1000000))
cat "$WORK/dead.txt" "$WORK/dead.err"
echo "-n run ${plain_ms} ms, dead-resolver run ${dead_ms} ms"
[ $((dead_ms - plain_ms)) -le 2600 ] || { echo "FAIL: the dead resolver cost $((dead_ms - plain_ms)) ms (bound 1100 ms + 1500 ms slack)"; fail=1; }
lines=$(grep -c . "$WORK/dead.err")
warnings=$(grep -c "reverse DNS: the resolver ($DEAD) did not answer" "$WORK/dead.err")
[ "$lines" = 1 ] && [ "$warnings" = 1 ] || { echo "FAIL: want exactly one warning line on stderr, got $lines lines"; fail=1; }

$PY "$SRC/tests/integration/mtr/rdns_check.py" "$TRUTH" 198.19.1.0/24 "$WORK" || fail=1

echo "== a bad --resolver list: one line, exit 2, nothing probed"
msg=$(X "$BIN" mtr "$T" --allow 198.18.0.0/15 -c 1 --resolver not-an-address 2>&1 >/dev/null)
rc=$?
echo "rc $rc: $msg"
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$msg" | grep -c .)" = 1 ] || { echo "FAIL: bad --resolver should fail with one line and exit 2"; fail=1; }

[ $fail = 0 ] && echo "mtr_rdns_test: ok" || echo "mtr_rdns_test: FAILED"
exit $fail
