#!/usr/bin/env bash
# Self-test of the mini-internet (scripts/testbed): brings up small.json and
# checks it with real tools against its truth.json (traceroute per hop, the
# delay line, the loss rule, rDNS via the testbed's dnsmasq, TCP SYN-ACK/RST),
# checks that down leaves nothing, then brings up default.json and asserts the
# demo topology's requirements. Exit 77 only if namespaces cannot be made.
set -euo pipefail
src=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
testbed="$src/scripts/testbed"
check="$src/tests/integration/testbed/check_testbed.py"

if [ "$(id -u)" -ne 0 ]; then echo "testbed_test: needs root"; exit 77; fi
probe_ns="pmprobe$$"
if ! ip netns add "$probe_ns" 2>/dev/null; then
  echo "testbed_test: cannot create network namespaces here; skipping"; exit 77
fi
ip netns del "$probe_ns"
for tool in traceroute ping dnsmasq ethtool iptables cc getent; do
  command -v "$tool" >/dev/null || { echo "testbed_test: $tool missing (run scripts/setup.sh)"; exit 1; }
done

small="ts$$"
big="td$$"
tmp=$(mktemp -d)
cleanup() {
  "$testbed" down --name "$small" >/dev/null 2>&1 || true
  "$testbed" down --name "$big" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
ms() { date +%s%N | cut -c1-13; }

t0=$(ms)
"$testbed" up "$src/tests/topologies/small.json" --name "$small"
t1=$(ms)
echo "small.json up: $((t1 - t0)) ms"

# A second up under the same name fails with one line.
if out=$("$testbed" up "$src/tests/topologies/small.json" --name "$small" 2>&1); then
  echo "FAIL  second up with the same name succeeded"; fail=1
elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || ! grep -q "already exists" <<<"$out"; then
  echo "FAIL  second up: expected one clear line, got: $out"; fail=1
else
  echo "ok    second up refused: $out"
fi

/usr/bin/python3 "$check" small "$small" || fail=1
cat /run/pathmap-testbed/"$small"/pids/*.pid > "$tmp/pids"
sd=$(dirname "$("$testbed" truth --name "$small")")
for f in "$sd"/w-*.stats.json; do
  pid=$(awk '{print $1}' "$sd/pids/$(basename "$f" .stats.json).pid")
  kill -USR1 "$pid"; sleep 0.1; echo "delay line stats $(basename "$f"): $(cat "$f")"
done

t0=$(ms)
"$testbed" down --name "$small"
t1=$(ms)
echo "small.json down: $((t1 - t0)) ms"
/usr/bin/python3 "$check" gone "$small" "$tmp/pids" || fail=1
"$testbed" down --name "$small" | grep -q "nothing to tear down" && echo "ok    down is idempotent" \
  || { echo "FAIL  second down"; fail=1; }

t0=$(ms)
"$testbed" up "$src/tests/topologies/default.json" --name "$big"
t1=$(ms)
echo "default.json up: $((t1 - t0)) ms"
/usr/bin/python3 "$check" default "$big" || fail=1
cat /run/pathmap-testbed/"$big"/pids/*.pid > "$tmp/pids"
t0=$(ms)
"$testbed" down --name "$big"
t1=$(ms)
echo "default.json down: $((t1 - t0)) ms"
/usr/bin/python3 "$check" gone "$big" "$tmp/pids" || fail=1

# Bad input: one clear line and a non-zero exit.
echo '{"prober": {"router": "r1", "subnet": "8.8.8.0/30"}, "routers": [{"name": "r1"}], "links": [], "sinks": []}' > "$tmp/bad.json"
if out=$("$testbed" check "$tmp/bad.json" 2>&1) || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
  echo "FAIL  topology with 8.8.8.0/30 accepted or unclear: $out"; fail=1
else
  echo "ok    bad topology refused: $out"
fi

[ "$fail" -eq 0 ] && echo "testbed_test: all checks passed" || echo "testbed_test: FAILED"
exit "$fail"
