#!/usr/bin/env bash
# MTR mode benchmark on tests/topologies/mtr.json (all in its own namespaces):
#  1. long run: pathmap mtr --continuous on a /24 (256 targets), max TTL 30,
#     one round per second for DURATION seconds; RSS sampled every 10 s, CPU
#     from /proc, probe accounting (sent = received + lost + late) from --summary.
#  2. side by side: one 10-round report of the /24 by pathmap (one process)
#     and by Debian mtr (256 processes, `mtr -n -r -c 10`), CPU and wall time.
# Usage: bench/mtr_bench.sh PATHMAP_BIN [DURATION_S]   (root; prints a summary)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:?usage: mtr_bench.sh PATHMAP_BIN [DURATION_S]}
BIN=$(readlink -f "$BIN")
DURATION=${2:-600}
NAME=mtrb$$
NAME=${NAME:0:10}
OUT=${MTR_BENCH_OUT:-$(mktemp -d /tmp/pathmap-mtr-bench.XXXXXX)}
mkdir -p "$OUT"
cleanup() { "$SRC/scripts/testbed" down --name "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
"$SRC/scripts/testbed" up "$SRC/tests/topologies/mtr.json" --name "$NAME" >/dev/null
NS=pm$NAME-prober
CIDR=198.19.1.0/24

echo "== 1. continuous: $CIDR, max TTL 30, 1 round/s, ${DURATION}s"
ip netns exec "$NS" timeout --preserve-status -s INT "$DURATION" "$BIN" mtr "$CIDR" --allow 198.18.0.0/15 \
  --continuous --report-every 100000 --interval 1000 --timeout 2000 --max-ttl 30 \
  --summary "$OUT/long_summary.json" --json-file "$OUT/long.json" < /dev/null > /dev/null 2> "$OUT/long.err" &
RUNNER=$!
sleep 1
PID=$(pgrep -P "$RUNNER" -n)  # ip netns exec execs timeout; its child is pathmap
CLK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
T0=$(date +%s.%N); C0=$(cpu_ticks)
: > "$OUT/rss.txt"
while kill -0 "$PID" 2>/dev/null; do
  t=$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN{printf "%.0f", a-b}')
  rss=$(awk '/VmRSS/{print $2}' "/proc/$PID/status" 2>/dev/null || true)
  c=$(cpu_ticks 2>/dev/null || echo "")
  [ -n "$rss" ] && echo "$t $rss $c" >> "$OUT/rss.txt"
  sleep 10
done
wait $RUNNER || true
cat "$OUT/long_summary.json"
/usr/bin/python3 - "$OUT/rss.txt" "$OUT/long_summary.json" "$CLK" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
s = json.load(open(sys.argv[2])); clk = int(sys.argv[3])
after = [int(r[1]) for r in rows if int(r[0]) >= 60]
t_first, c_first = int(rows[0][0]), int(rows[0][2])
t_last, c_last = int(rows[-1][0]), int(rows[-1][2])
cpu = (c_last - c_first) / clk / max(1, t_last - t_first)
print(f"RSS samples (s, KiB): {[(int(r[0]), int(r[1])) for r in rows]}")
if after:
    print(f"RSS after 60 s: min {min(after)} KiB, max {max(after)} KiB, growth {max(after) - after[0]} KiB")
print(f"CPU: {100 * cpu:.1f}% of one core (from {t_first} s to {t_last} s)")
acc = s["received"] + s["lost"] + s["late"]
print(f"sent {s['probes_sent']} = received {s['received']} + lost {s['lost']} + late {s['late']} -> {acc} "
      f"({'balanced' if acc == s['probes_sent'] else 'UNBALANCED'}); duplicates {s['duplicates']}, "
      f"unmatched {s['unmatched']}, ringbuf_full {s['ringbuf_full']}, rounds {s['rounds']}")
PY

echo "== 2. one 10-round report of $CIDR: pathmap (1 process) vs Debian mtr (256 processes)"
TIMEFORMAT='%R %U %S'
{ time ip netns exec "$NS" "$BIN" mtr "$CIDR" --allow 198.18.0.0/15 -c 10 --interval 1000 --max-ttl 30 \
    --json -o "$OUT/pm10.json" --summary "$OUT/pm10_summary.json" ; } 2> "$OUT/pm10.time"
{ time ip netns exec "$NS" bash -c '
    for i in $(seq 0 255); do mtr -n -r -c 10 -i 1 -m 30 198.19.1.$i > "'"$OUT"'/mtr.$i.txt" 2>&1 & done; wait' ; } 2> "$OUT/mtr10.time"
read -r pw pu ps < <(tail -1 "$OUT/pm10.time")
read -r mw mu ms < <(tail -1 "$OUT/mtr10.time")
ok=$(grep -l "198.19.1" "$OUT"/mtr.*.txt | wc -l)
/usr/bin/python3 - "$pw" "$pu" "$ps" "$mw" "$mu" "$ms" "$ok" <<'PY'
import sys
pw, pu, ps, mw, mu, ms = map(float, sys.argv[1:7]); ok = int(sys.argv[7])
print(f"pathmap: wall {pw:.2f} s, CPU {pu + ps:.2f} s (user {pu:.2f} + sys {ps:.2f})")
print(f"mtr x256: wall {mw:.2f} s, CPU {mu + ms:.2f} s (user {mu:.2f} + sys {ms:.2f}); {ok}/256 reports reached the target")
print(f"ratio mtr/pathmap: CPU {(mu + ms) / max(pu + ps, 1e-3):.1f}x, wall {mw / pw:.2f}x")
PY
echo "outputs in $OUT"
