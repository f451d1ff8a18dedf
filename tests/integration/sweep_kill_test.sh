#!/bin/bash
# kill -9 of a sweep leaves no XDP program behind: reply_rx hangs on a BPF
# link, which the kernel drops with the dead process's files. The next sweep
# on the same interface works at once and `pathmap doctor` finds the hook
# free. A program attached by hand through netlink (what pathmap before BPF
# links left behind) is named by doctor, by sweep --rx xdp's error and by the
# default sweep's warning, with the command that removes it. Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
BUILD=${PATHMAP_BUILD_DIR:-$(cd "$(dirname "$BIN")/.." && pwd)}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
probe_ns=pmk$$chk
ip netns add "$probe_ns" 2>/dev/null || { echo "skip: cannot create network namespaces"; exit 77; }
ip netns del "$probe_ns"

NAME=swk$$
NAME=${NAME:0:10}
NS=pm$NAME-prober
TB="$SRC/scripts/testbed"
WORK=$(mktemp -d /tmp/pm-sweep-kill.XXXXXX)
sweep_pid=
cleanup() {
    [ -n "$sweep_pid" ] && kill -9 "$sweep_pid" 2>/dev/null
    "$TB" down --name "$NAME" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }
# iproute2 mounts bpffs when it loads an object; inside `ip netns exec` that
# stays in its private mount namespace, and this test must not leave one.
bpf_mounts() { grep -c ' - bpf ' /proc/self/mountinfo; }
mounts_before=$(bpf_mounts)

"$TB" up "$SRC/tests/topologies/small.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
# The XDP program on the prober's interface, as `ip -d link` shows it.
xdp_on() { timeout 10 ip -n "$NS" -d link show dev eth0 | grep -o 'prog/xdp id [0-9]* name [^ ]*'; }
hook_free() { ! xdp_on >/dev/null; }
doctor() { timeout 60 ip netns exec "$NS" "$BIN" doctor "$@" 2>&1; }
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
# want OUTPUT TEXT / want_re OUTPUT REGEX: fail (and show OUTPUT) unless it matches.
want() { has "$1" "$2" || { printf 'FAIL: no "%s" in:\n%s\n' "$2" "$1"; fail=1; }; }
want_re() { printf '%s\n' "$1" | grep -qE -- "$2" || { printf 'FAIL: no /%s/ in:\n%s\n' "$2" "$1"; fail=1; }; }

check hook_free

# 1. A sweep that runs for minutes (every host of the /16), killed with
#    SIGKILL once probes are going out.
timeout -s KILL 120 ip netns exec "$NS" "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate 2000 \
    --wait 500 --no-graph -o "$WORK/killed" 2>"$WORK/killed.err" &
timeout_pid=$!
for _ in $(seq 60); do
    grep -q "sent [1-9]" "$WORK/killed.err" 2>/dev/null && break
    sleep 0.5
done
sweep_pid=$(pgrep -P "$timeout_pid")  # ip netns exec execs pathmap: timeout's only child
if [ -z "$sweep_pid" ] || ! grep -q "sent [1-9]" "$WORK/killed.err" || [ "$(cat "/proc/$sweep_pid/comm")" != pathmap ]; then
    cat "$WORK/killed.err"
    echo "FAIL: the sweep did not start sending"
    exit 1
fi
# While it runs: attached, through a link this very process holds.
running=$(xdp_on)
check test -n "$running"
out=$(doctor --iface eth0)
want "$out" "through BPF link"
want "$out" "held by pid $sweep_pid (pathmap)"

t0=$(date +%s%N)
kill -9 "$sweep_pid"
wait "$timeout_pid"
check test $? = 137
for _ in $(seq 100); do hook_free && break; sleep 0.05; done
ms=$((($(date +%s%N) - t0) / 1000000))
if hook_free; then
    echo "hook free ${ms} ms after kill -9 (was: $running)"
else
    echo "FAIL: $(xdp_on) still attached ${ms} ms after kill -9"
    fail=1
fi
sweep_pid=

# 2. doctor finds nothing left, on eth0 and on every interface.
out=$(doctor --iface eth0)
rc=$?
check test $rc = 0
want_re "$out" "^\[ ok \] XDP on eth0 +no XDP program attached$"
out=$(doctor)
rc=$?
check test $rc = 0
want "$out" "XDP hooks"
! has "$out" "FAIL" || { echo "$out"; echo "FAIL: doctor reports a failure after the kill"; fail=1; }

# 3. The next sweep attaches on the same interface and reaches its target.
run "$BIN" sweep 198.19.1.5 --allow 198.18.0.0/15 --complete-traces --wait 500 -q --no-graph -o "$WORK/after"
check test $? = 0
check $PY "$SRC/tests/integration/sweep/check_sweep.py" path "$TRUTH" "$WORK/after" 198.19.1.5 afxdp
check hook_free

# 4. A netlink attach (what older pathmap versions did) outlives its process:
#    doctor names it and the remedy, sweep refuses with the same remedy.
OBJ="$BUILD/bpf/reply_rx.bpf.o"
PROG=reply_rx
if [ ! -s "$OBJ" ]; then
    OBJ="$WORK/leftover.bpf.o"
    PROG=leftover
    cat >"$WORK/leftover.bpf.c" <<'EOF'
#include <linux/bpf.h>
__attribute__((section("xdp"), used)) int leftover(struct xdp_md *ctx) { return XDP_PASS; }
char _license[] __attribute__((section("license"), used)) = "GPL";
EOF
    timeout 60 clang -O2 -target bpf -I"/usr/include/$(gcc -print-multiarch)" -c "$WORK/leftover.bpf.c" -o "$OBJ" ||
        { echo "FAIL: cannot build an XDP object"; exit 1; }
fi
timeout 30 ip netns exec "$NS" ip link set dev eth0 xdpgeneric obj "$OBJ" sec xdp
check test $? = 0
want "$(xdp_on)" "name $PROG"
out=$(doctor --iface eth0)
rc=$?
check test $rc != 0
want "$out" "[FAIL] XDP on eth0"
want "$out" "program $PROG (id"
want "$out" "in generic mode through netlink"
want "$out" '`ip link set dev eth0 xdpgeneric off`'
[ "$PROG" = reply_rx ] && want "$out" "left by an older pathmap"
# --rx xdp insists on the hook: refused, with the remedy.
out=$(run "$BIN" sweep 198.19.1.5 --allow 198.18.0.0/15 --rx xdp --wait 500 -q --no-graph -o "$WORK/blocked" 2>&1 >/dev/null)
rc=$?
check test $rc != 0
want "$out" "attaching reply_rx to eth0"
want "$out" "through netlink"
want "$out" '`ip link set dev eth0 xdpgeneric off`'
# The default receives behind it through AF_PACKET, and warns (even with -q)
# with the same remedy, because that program stays until someone removes it.
# The leftover passes replies, so the sweep still reaches its target.
out=$(run "$BIN" sweep 198.19.1.5 --allow 198.18.0.0/15 --complete-traces --wait 500 -q --no-graph -o "$WORK/behind" 2>&1 >/dev/null)
rc=$?
check test $rc = 0
want "$out" "AF_PACKET"
want "$out" "through netlink"
want "$out" '`ip link set dev eth0 xdpgeneric off`'
check $PY "$SRC/tests/integration/sweep/check_sweep.py" path "$TRUTH" "$WORK/behind" 198.19.1.5 afxdp
timeout 30 ip netns exec "$NS" ip link set dev eth0 xdpgeneric off
check hook_free
out=$(doctor --iface eth0)
check test $? = 0

check test "$(bpf_mounts)" = "$mounts_before"
[ $fail = 0 ] && echo "PASS: sweep kill integration" || echo "FAIL: sweep kill integration"
exit $fail
