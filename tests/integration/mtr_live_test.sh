#!/usr/bin/env bash
# pathmap mtr --continuous: the live view under a real pseudo-terminal (tmux)
# shows the hops and counters that advance, `q` exits 0 and prints the final
# report; without a terminal it prints a report every N rounds and Ctrl-C
# (SIGINT) ends it cleanly. Packets stay inside the run's own namespaces.
set -euo pipefail
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v tmux >/dev/null || { echo "tmux missing: run scripts/setup.sh"; exit 1; }

NAME=mtrl$$
NAME=${NAME:0:10}
SESSION=pm-mtr-live-$$
OUT=$(mktemp -d /tmp/pathmap-mtr-live.XXXXXX)
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  "$SRC/scripts/testbed" down --name "$NAME" >/dev/null 2>&1 || true
  rm -rf "$OUT"
}
trap cleanup EXIT INT TERM
"$SRC/scripts/testbed" up "$SRC/tests/topologies/mtr.json" --name "$NAME" >/dev/null
T=198.19.1.7

echo "== live view under tmux"
# The pane outlives pathmap so its final report and exit code can be read.
tmux new-session -d -s "$SESSION" -x 150 -y 40 \
  "ip netns exec pm$NAME-prober $BIN mtr -n $T --allow 198.18.0.0/15 --continuous --interval 200 --timeout 500; echo EXIT=\$?; sleep 120"
screen_has() { tmux capture-pane -p -t "$SESSION" | grep -q -- "$1"; }
round_shown() { tmux capture-pane -p -t "$SESSION" | sed -n 's/.*| round \([0-9]*\) |.*/\1/p' | head -1; }
for _ in $(seq 50); do screen_has "198.19.1.7  " && break; sleep 0.2; done
sleep 1
tmux capture-pane -p -t "$SESSION" > "$OUT/screen1.txt"
grep -v "^$" "$OUT/screen1.txt"
grep -q "pathmap mtr $T (icmp) | round" "$OUT/screen1.txt" || { echo "FAIL: no header line"; exit 1; }
for hop in 198.18.40.1 198.18.41.2 198.18.41.6 198.18.41.10 198.18.41.22 198.19.1.7; do
  grep -q -- "|-- $hop " "$OUT/screen1.txt" || { echo "FAIL: hop $hop not on screen"; exit 1; }
done
r1=$(round_shown)
sent1=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$OUT/screen1.txt")
sleep 2
tmux capture-pane -p -t "$SESSION" > "$OUT/screen2.txt"
r2=$(round_shown)
sent2=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' "$OUT/screen2.txt")
echo "round $r1 -> $r2, sent $sent1 -> $sent2"
[ "$r2" -gt "$r1" ] && [ "$sent2" -gt "$sent1" ] || { echo "FAIL: the view did not advance"; exit 1; }
tmux send-keys -t "$SESSION" q
for _ in $(seq 50); do screen_has "^EXIT=" && break; sleep 0.2; done
tmux capture-pane -p -S -60 -t "$SESSION" > "$OUT/final.txt"
grep -v "^$" "$OUT/final.txt"
grep -q "^EXIT=0" "$OUT/final.txt" || { echo "FAIL: q did not exit 0"; exit 1; }
grep -q "^HOST: .*Loss%   Snt" "$OUT/final.txt" || { echo "FAIL: no final report after q"; exit 1; }
grep -q "|-- 198.19.1.7 " "$OUT/final.txt" || { echo "FAIL: final report lacks the target"; exit 1; }
# The terminal is back in cooked mode with echo: typed text shows up.
tmux send-keys -t "$SESSION" "typed-after-exit"
sleep 0.3
tmux capture-pane -p -t "$SESSION" | grep -q "typed-after-exit" || { echo "FAIL: terminal not restored (no echo)"; exit 1; }
tmux kill-session -t "$SESSION" 2>/dev/null || true

echo "== no terminal: a report every 5 rounds, SIGINT ends it with a final report"
set +e
ip netns exec "pm$NAME-prober" timeout --preserve-status -s INT 6 "$BIN" mtr -n "$T" --allow 198.18.0.0/15 --continuous \
  --report-every 5 --interval 100 --timeout 300 < /dev/null > "$OUT/periodic.txt" 2>"$OUT/periodic.err"
rc=$?
set -e
reports=$(grep -c "^HOST: " "$OUT/periodic.txt")
echo "exit $rc, $reports reports"
[ "$rc" -eq 0 ] || { cat "$OUT/periodic.err"; echo "FAIL: SIGINT should end cleanly (exit 0)"; exit 1; }
[ "$reports" -ge 3 ] || { echo "FAIL: expected periodic reports plus the final one"; exit 1; }
echo "PASS"
