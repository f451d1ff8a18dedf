#!/usr/bin/env bash
# RX benchmark: reply_rx parsing + ring buffer + timed userspace consumption
# and matching, against (a) the same frames delivered to the stack and read by
# an AF_PACKET socket and (b) an XDP program that only counts, in the same run.
# Frames are fed with bpf_prog_test_run_opts inside a network namespace the
# bench process creates for itself (unshare); nothing leaves it. Needs root.
#   bench/run_rx_bench.sh [build-dir]   (env: REPS=3 SECONDS_PER_RUN=5 RATES="0 2000000 2500000")
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-rxbench}
REPS=${REPS:-3}
SECS=${SECONDS_PER_RUN:-5}
RATES=${RATES:-"0 2000000 2500000"}
OUT=${OUT:-$BUILD/rx_bench_results.jsonl}

[ "$(id -u)" = 0 ] || { echo "run_rx_bench.sh: needs root (loads BPF programs)"; exit 1; }

echo "== building rx_bench (Release) in $BUILD" >&2
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPATHMAP_SANITIZE=OFF -DPATHMAP_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target rx_bench >/dev/null
BENCH=$BUILD/bin/rx_bench

: >"$OUT"
fail=0
for rate in $RATES; do
    for rep in $(seq 1 "$REPS"); do
        echo "== rate ${rate} (0 = unpaced), run $rep/$REPS" >&2
        if ! "$BENCH" --seconds "$SECS" --rate "$rate" | tr -d '\n' >>"$OUT"; then fail=1; fi
        echo >>"$OUT"
    done
done

/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by_rate = {}
for r in rows:
    by_rate.setdefault(r["offered_rate"], []).append(r)
print("| offered (pps) | count-only XDP (pps) | AF_PACKET recvmmsg (replies/s) | reply_rx consumed+matched (replies/s) | vs AF_PACKET | vs count-only | ringbuf_full | unaccounted | AF_PACKET drops |")
print("|---|---|---|---|---|---|---|---|---|")
for rate, rs in sorted(by_rate.items()):
    med = lambda f: statistics.median(f(r) for r in rs)
    print(f"| {'unpaced' if rate == 0 else int(rate)} | {med(lambda r: r['baseline_count_only']['pps']):,.0f} "
          f"| {med(lambda r: r['baseline_af_packet']['replies_per_s']):,.0f} "
          f"| {med(lambda r: r['reply_rx']['replies_per_s']):,.0f} | {med(lambda r: r['ratio_vs_af_packet']):.2f} "
          f"| {med(lambda r: r['ratio_vs_count_only']):.3f} "
          f"| {max(r['reply_rx']['ringbuf_full'] for r in rs)} | {max(abs(r['reply_rx']['unaccounted']) for r in rs)} "
          f"| {max(r['baseline_af_packet']['socket_drops'] for r in rs)} |")
PY
echo "raw results: $OUT" >&2
exit $fail
