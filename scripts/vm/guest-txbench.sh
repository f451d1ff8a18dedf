#!/usr/bin/env bash
# TX throughput inside the test VM, on Debian 12's own kernel: AF_XDP copy
# mode asking for the raised TX budget (refused before Linux 6.17, so the
# kernel's 32 frames per kick), AF_XDP not asking, and AF_PACKET, interleaved
# in one boot. Not part of the test run; docs/TX.md has how to start it:
#   PATHMAP_VM_SCRIPT=scripts/vm/guest-txbench.sh PATHMAP_VM_SKIP_BUILD=1 \
#     scripts/vm-test.sh RELEASE_BUILD_DIR   (after bench/run_tx_bench.sh there)
# Under TCG every number is slow; only ratios within this run mean anything.
# Writes $PATHMAP_VM_OUT/guest.log (uname -r, RESULT lines, the medians,
# DONE) and tx_bench.jsonl. Sends only between two namespaces it creates.
set -uo pipefail
BUILD=${PATHMAP_VM_BUILD:?} OUT=${PATHMAP_VM_OUT:?}
LOG=$OUT/guest.log REPS=${REPS:-3} SECS=${SECONDS_PER_RUN:-3}
A=pmvb-a B=pmvb-b
say() { echo "$*" | tee -a "$LOG"; }
: >"$LOG"
say "uname -r: $(uname -r)"
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; }
trap cleanup EXIT
failed=0 passed=0

if [ -x "$BUILD/bin/tx_bench" ] && [ -f "$BUILD/xdp_drop.bpf.o" ] &&
  ip netns add $A && ip netns add $B && ip -n $A link set lo up && ip -n $B link set lo up &&
  ip -n $A link add pmb0 type veth peer name pmb1 netns $B &&
  ip -n $A addr add 10.78.0.1/24 dev pmb0 && ip -n $B addr add 10.78.0.2/24 dev pmb1 &&
  ip -n $A link set pmb0 up && ip -n $B link set pmb1 up &&
  ip -n $A route add 198.18.0.0/15 via 10.78.0.2 &&
  ip -n $B link set dev pmb1 xdpdrv obj "$BUILD/xdp_drop.bpf.o" sec xdp; then
  say "RESULT setup PASS"; passed=$((passed + 1))
else
  say "RESULT setup FAIL (needs $BUILD/bin/tx_bench and xdp_drop.bpf.o: run bench/run_tx_bench.sh on the host first)"
  say "DONE passed=0 failed=1"
  exit 0
fi

: >"$OUT/tx_bench.jsonl"
runs_ok=1
for r in $(seq "$REPS"); do
  for run in "afxdp 256 raise" "afxdp 256 kernel" "packet 64 raise"; do
    set -- $run
    # One JSON line per run, tagged with what was asked (on 6.1 both AF_XDP
    # runs end up at 32 per kick: asking and not asking must match).
    if line=$(timeout 60 ip netns exec $A "$BUILD/bin/tx_bench" throughput --kind "$1" --batch "$2" --tx-budget "$3" \
      --seconds "$SECS" 2>>"$OUT/tx_bench.err"); then
      echo "{\"asked\":\"$1 --tx-budget $3\",${line#\{}" >>"$OUT/tx_bench.jsonl"
    else
      say "RESULT tx_bench_$1_$3_$r FAIL"; runs_ok=0
    fi
  done
done
/usr/bin/python3 - "$OUT/tx_bench.jsonl" <<'PY' | tee -a "$LOG"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r["asked"], r["tx"]), []).append(r)
for (asked, tx), rs in by.items():
    pps = statistics.median(x["pps"] for x in rs)
    ns = statistics.median(x["cpu_ns_per_probe"] for x in rs)
    bp = statistics.median(x["backpressure"] for x in rs)
    print(f"median {pps/1e3:7.1f} kpps {ns:6.0f} ns/probe back-pressure {bp:7.0f} over {len(rs)}: {asked:24s} -> {tx}")
PY
if [ $runs_ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "RESULT tx_bench $([ $runs_ok = 1 ] && echo PASS || echo FAIL)"
say "DONE passed=$passed failed=$failed"
sync
