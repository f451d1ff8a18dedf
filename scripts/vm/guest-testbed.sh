#!/usr/bin/env bash
# One testbed step of the VM run (scripts/vm/guest-tests.sh calls it with a
# small testbed already up): a sweep and an mtr run, checked against the
# testbed's truth with the integration tests' own checkers.
#   guest-testbed.sh sweep_discovery|sweep_paths|tx_budget|mtr NAME TRUTH WORKDIR
# Small on purpose: in the VM everything runs 5-6x slower (TCG) under ASan.
# Every probe goes from the testbed's prober namespace to its routers.
set -euo pipefail
step=$1 NAME=$2 TRUTH=$3 WORK=$4
SRC=${PATHMAP_SOURCE_DIR:?} BIN=${PATHMAP_BIN:?}
PY=/usr/bin/python3
CHECK_SWEEP="$PY $SRC/tests/integration/sweep/check_sweep.py"
mkdir -p "$WORK"
run() { timeout 300 "$SRC/scripts/testbed" exec --name "$NAME" -- "$@"; }
ok=0
check() { if "$@"; then :; else echo "FAIL: $*"; ok=1; fi; }

case "$step" in
sweep_discovery)
  # Every target prefix, 4 addresses per /24, 2 flows: every interface and
  # link of the answering routers, nothing that is no router's.
  $PY -c "import json,sys; [print(t['prefix']) for t in json.load(open(sys.argv[1]))['targets']]" "$TRUTH" >"$WORK/prefixes.txt"
  run "$BIN" sweep -f "$WORK/prefixes.txt" --per-24 4 --flows 2 --allow 198.18.0.0/15 --rate 2000 --wait 1500 \
    -q --no-graph --no-db -o "$WORK/disc"
  check $CHECK_SWEEP discovery "$TRUTH" "$WORK/disc"
  ;;
sweep_paths)
  # AF_XDP with a second protocol (tx_budget sends ICMP), and each other
  # send path, along the true path.
  for combo in udp:afxdp tcp:afxdp icmp:packet udp:raw; do
    proto=${combo%%:*} txk=${combo##*:}
    run "$BIN" sweep 198.19.1.5 --proto "$proto" --tx "$txk" --allow 198.18.0.0/15 --complete-traces --wait 1000 \
      --hole-passes 1 -q --no-graph --no-db -o "$WORK/$proto-$txk"
    check $CHECK_SWEEP path "$TRUTH" "$WORK/$proto-$txk" 198.19.1.5 "$txk"
  done
  ;;
tx_budget)
  # Linux 6.17's XDP_MAX_TX_SKB_BUDGET: where the kernel refuses it the
  # sender keeps the kernel's 32 frames per kick, says so in describe() and
  # logs it once (-v); the sweep still sends every probe.
  kernel=$($PY "$SRC/scripts/vm/tx_budget_probe.py")
  echo "kernel: XDP_MAX_TX_SKB_BUDGET $kernel"
  case "$kernel" in
    raised) want="(TX budget raised)" lines=0 ;;
    refused*) want="(TX budget 32/kick)" lines=1 ;;
    *) echo "FAIL: probe said '$kernel'"; exit 1 ;;
  esac
  run "$BIN" -v sweep 198.19.1.0/24 --per-24 64 --tx afxdp --allow 198.18.0.0/15 --rate 20000 --wait 1500 \
    --no-graph --no-db -o "$WORK/budget" 2>"$WORK/budget.err"
  tx=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['tx'])" "$WORK/budget/summary.json")
  echo "sender: $tx"
  check grep -qF -- "$want" <<<"$tx"
  said=$(grep -c 'refused XDP_MAX_TX_SKB_BUDGET' "$WORK/budget.err" || true)
  grep 'XDP_MAX_TX_SKB_BUDGET' "$WORK/budget.err" || true
  check test "$said" = "$lines"
  check $PY -c "
import json, sys
s = json.load(open(sys.argv[1]))
t = s['tx_stats']
print('probes_sent', s['probes_sent'], 'tx_stats', t)
sys.exit(0 if s['complete'] is True and s['probes_sent'] > 0 and t['errors'] == 0 and t['sent'] == s['probes_sent'] else 1)" "$WORK/budget/summary.json"
  ;;
mtr)
  # pathmap mtr and Debian's mtr to the same target: the same hops, each a
  # true one (r5 is silent: ??? in both), the destination last.
  T=198.19.1.5
  run mtr -n -r -c 10 -i 0.2 "$T" >"$WORK/mtr.txt"
  cat "$WORK/mtr.txt"
  run "$BIN" mtr -n --allow 198.18.0.0/15 "$T" -c 20 --interval 50 --timeout 500 --json -o "$WORK/path.json"
  check $PY - "$TRUTH" "$T" "$WORK/path.json" "$WORK/mtr.txt" "$SRC/tests/integration/mtr" <<'EOF'
import ipaddress, json, sys
truth_path, dst, ours_path, mtr_path, checker_dir = sys.argv[1:]
sys.path.insert(0, checker_dir)
import mtr_check  # the mtr integration test's own readers
truth = json.load(open(truth_path))
target = next(t for t in truth["targets"] if ipaddress.ip_address(dst) in ipaddress.ip_network(t["prefix"]))
rows = mtr_check.rows_by_ttl(json.load(open(ours_path)))
theirs = mtr_check.mtr_text_hosts(mtr_path)
last = target["destination_hop"]
mtr_check.check(sorted(rows) == list(range(1, last + 1)), f"pathmap hops {sorted(rows)}, want 1..{last}")
mtr_check.check(sorted(theirs) == sorted(rows), f"mtr hops {sorted(theirs)}, pathmap {sorted(rows)}")
for ttl in sorted(rows):
    ours = {h["host"] for h in rows[ttl]}
    allowed = {dst} if ttl == last else {a if a else "???" for a in target["hops"][ttl - 1]}
    mtr_check.check(ours <= allowed, f"TTL {ttl}: pathmap {ours} not within truth {allowed}")
    mtr_check.check(theirs.get(ttl, set()) <= allowed, f"TTL {ttl}: mtr {theirs.get(ttl)} not within truth {allowed}")
    print(f"TTL {ttl}: pathmap {sorted(ours)} mtr {sorted(theirs.get(ttl, []))} truth {sorted(allowed)}")
mtr_check.finish()
EOF
  ;;
*) echo "guest-testbed.sh: unknown step '$step'" >&2; exit 2 ;;
esac
exit $ok
