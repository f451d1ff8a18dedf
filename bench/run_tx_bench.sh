#!/usr/bin/env bash
# TX benchmark: pathmap's real sender (next hop, encoding, checksums, batching;
# pacing off) into an XDP drop sink, AF_XDP vs raw-socket sendmmsg vs
# AF_PACKET sendmmsg in the same run; one vs two AF_XDP queues (a thread per
# queue) on a 2-queue veth; then the pacer at 1k..2M pps, and the
# send-timestamp error at 100k pps (encoded time vs kernel receive time on the
# peer). Everything runs between two private namespaces joined by veth pairs;
# nothing leaves them. Needs root.
#   bench/run_tx_bench.sh [build-dir]
#   env: REPS=3 SECONDS_PER_RUN=5 PRIO=rt|normal|nice SECTIONS="tp mq pace tserr" (or budget)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-txbench}
REPS=${REPS:-3}
SECS=${SECONDS_PER_RUN:-5}
NS_A=pmtxb-a
NS_B=pmtxb-b
OUT=${OUT:-$BUILD/tx_bench_results.jsonl}

[ "$(id -u)" = 0 ] || { echo "run_tx_bench.sh: needs root (network namespaces, XDP)"; exit 1; }

cleanup() {
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cleanup

echo "== building tx_bench (Release) in $BUILD" >&2
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPATHMAP_SANITIZE=OFF -DPATHMAP_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j2 --target tx_bench >/dev/null
BENCH=$BUILD/bin/tx_bench
MULTIARCH=$(cc -print-multiarch)
clang -O2 -g -target bpf -Wall -Werror -I/usr/include/"$MULTIARCH" -c "$SRC/bench/xdp_drop.bpf.c" -o "$BUILD/xdp_drop.bpf.o"

echo "== namespaces $NS_A <-> $NS_B" >&2
ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up
ip -n "$NS_A" link add pmb0 type veth peer name pmb1 netns "$NS_B"
ip -n "$NS_A" addr add 10.78.0.1/24 dev pmb0
ip -n "$NS_B" addr add 10.78.0.2/24 dev pmb1
ip -n "$NS_A" link set pmb0 up
ip -n "$NS_B" link set pmb1 up
ip -n "$NS_A" route add 198.18.0.0/15 via 10.78.0.2
# A second pair with two queues for the per-queue sender threads.
ip -n "$NS_A" link add pmb2 numtxqueues 2 numrxqueues 2 type veth peer name pmb3 numtxqueues 2 numrxqueues 2 netns "$NS_B"
ip -n "$NS_A" addr add 10.79.0.1/24 dev pmb2
ip -n "$NS_B" addr add 10.79.0.2/24 dev pmb3
ip -n "$NS_A" link set pmb2 up
ip -n "$NS_B" link set pmb3 up
ip -n "$NS_A" route add 100.64.0.0/10 via 10.79.0.2

attach_sink() { # dev
    ip -n "$NS_B" link set dev "$1" xdpdrv obj "$BUILD/xdp_drop.bpf.o" sec xdp
    local prog
    prog=$(ip -n "$NS_B" -j link show "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
    bpftool prog show id "$prog" -j | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])'
}
detach_sink() { ip -n "$NS_B" link set dev pmb1 xdpdrv off; }

MAP=$(attach_sink pmb1)
MAP2=$(attach_sink pmb3)
# SECTIONS selects parts: tp (one queue throughput), mq (one vs two queues), pace, tserr,
# budget (the TX budget raised vs the kernel's 32 per kick; not in the default set).
SECTIONS=${SECTIONS:-tp mq pace tserr}
has() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
: >"$OUT"
# PRIO=rt (default) runs the sender under SCHED_FIFO so that compiles sharing
# the 2 cores do not decide the result; PRIO=normal measures as scheduled.
# PRIO=nice keeps the normal scheduling class at nice -20 (a bigger CFS share).
PRIO=${PRIO:-rt}
CHRT=()
[ "$PRIO" = rt ] && CHRT=(chrt -f 10)
[ "$PRIO" = nice ] && CHRT=(nice -n -20)
echo "== PRIO=$PRIO, load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run() { ip netns exec "$NS_A" "${CHRT[@]}" "$BENCH" "$@" | tee -a "$OUT"; }

if has tp; then
echo "== throughput, $REPS rounds x $SECS s per sender, kinds interleaved" >&2
# AF_XDP at batch 64 (same as the baselines) and 256 (fewer kicks: the
# per-probe CPU cost drops ~5%); baselines at batch 64 as in the issue.
for r in $(seq "$REPS"); do
    for kb in afxdp:64 afxdp:256 raw:64 packet:64; do
        run throughput --kind "${kb%:*}" --batch "${kb#*:}" --seconds "$SECS" --sink-map-id "$MAP"
    done
done
fi

if has budget; then
echo "== AF_XDP copy mode: TX budget raised to the ring (Linux 6.17+) vs the kernel's 32 frames per kick (what 6.1 does)" >&2
for r in $(seq "$REPS"); do
    for b in raise kernel; do
        run throughput --kind afxdp --batch 256 --tx-budget "$b" --seconds "$SECS" --sink-map-id "$MAP"
    done
done
fi

if has mq; then
echo "== AF_XDP on a 2-queue veth: one socket vs a socket and thread per queue" >&2
for r in $(seq "$REPS"); do
    for q in 1 2; do
        run throughput --kind afxdp --batch 256 --queues "$q" --target 100.64.0.1 --iface pmb2 --seconds "$SECS" --sink-map-id "$MAP2"
    done
done
fi

if has pace; then
echo "== pacer (AF_XDP), 5 s per rate, the previous pacer (100 ms bank, 1 s catch-up) then the current one" >&2
for rate in 1000 100000 1000000 2000000; do
    for pacer in previous current; do
        run pace --kind afxdp --batch 256 --rate "$rate" --seconds 5 --sink-map-id "$MAP" --pacer "$pacer"
    done
done
fi

if has tserr; then
echo "== send-timestamp error at 100k pps (no sink: the peer's AF_PACKET socket timestamps arrivals)" >&2
detach_sink
for kind in afxdp packet raw; do
    run tserr --kind "$kind" --rate 100000 --seconds 3 --capture-netns /var/run/netns/"$NS_B" --capture-iface pmb1
done
fi

/usr/bin/python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tp = {}
for r in rows:
    if r["mode"] == "throughput":
        tp.setdefault(f'{r["kind"]}/{r["batch"]}' + ("/2q" if "queues 0-1" in r["tx"] else "/1q" if "pmb2" in r["tx"] else "")
                      + ("/32kick" if "32/kick" in r["tx"] else ""), []).append(r)
print("\nsummary (medians over rounds; rx = frames counted by the XDP sink; cpu = the sender's share of a core;")
print("  ns/probe = sender CPU time per probe, the veth peer's receive softirq run in the sender's context included)")
med = {}
for k, rs in tp.items():
    med[k] = statistics.median(x["rx_pps"] for x in rs)
    m = lambda f: statistics.median(x[f] for x in rs)
    print(f"  {k:13s} tx {m('pps')/1e6:5.2f} Mpps  rx {med[k]/1e6:5.2f} Mpps  cpu {m('cpu_util'):4.2f}  {m('cpu_ns_per_probe'):5.0f} ns/probe"
          f"  {m('mpps_per_cpu'):4.2f} Mpps/CPU  load {m('load1'):5.2f}  ({rs[0]['tx']})")
if "afxdp/256/32kick" in med and med.get("afxdp/256"):
    print(f"  TX budget raised / 32 per kick (batch 256, rx) = {med['afxdp/256']/med['afxdp/256/32kick']:.2f}x")
if "afxdp/256/2q" in med and med.get("afxdp/256/1q"):
    print(f"  2 queues (a thread each) / 1 queue = {med['afxdp/256/2q']/med['afxdp/256/1q']:.2f}x")
for b in (64, 256):
    if f"afxdp/{b}" in med and med.get("raw/64"):
        print(f"  AF_XDP batch {b} / raw sendmmsg batch 64 (rx) = {med[f'afxdp/{b}']/med['raw/64']:.2f}x   target >= 1.8x, >= 2.0 Mpps")
for r in rows:
    if r["mode"] == "pace":
        err = (r["rx_pps"] - r["rate"]) / r["rate"] * 100
        share = r["rate"] / 100
        print(f"  pace {r['rate']:>8d} pps ({r.get('pacer', 'current'):8s}): sent {r['pps']:.0f} pps, received {r['rx_pps']:.0f} pps ({err:+.2f}%)"
              f"  cpu {r['cpu_util']:.2f} lost {r['pacer_lost']} load {r['load1']:.2f}"
              f"  busiest 10 ms {r.get('peak_10ms', -1)} = {r.get('peak_10ms', 0) / share:.2f}x share   targets: within 2%, <= 2x share + 8")
for r in rows:
    if r["mode"] == "tserr":
        print(f"  ts error {r['tx']}: p50 {r['err_us_p50']} us p99 {r['err_us_p99']} us max {r['err_us_max']} us"
              f" ({r['captured']}/{r['sent']} captured)   target < 500 us")
PY
