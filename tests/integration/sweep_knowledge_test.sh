#!/bin/bash
# Per-/24 knowledge (issue 16) on tests/topologies/large.json: an --all-hosts
# sweep of the /16 (159 routed /24s, 34% unrouted, blackholed, unreachable
# and prohibited ones, two silent routers, three ECMP diamonds, one /24 split
# between two last hops) finds every ground-truth interface and link while
# most targets are planned from their /24's scouts, at under 3 probes per
# target (every address traced on its own costs 7.3 here, scamper 11.2:
# docs/BENCHMARKS.md). The split /24 keeps both of its last hops, every
# address the truth routes to a host is reached and no other is. Needs root.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
NAME=skn$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-knowledge.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }
timeout 120 "$TB" up "$SRC/tests/topologies/large.json" --name "$NAME" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")

timeout 300 "$TB" exec --name "$NAME" -- "$BIN" sweep 198.19.0.0/16 --all-hosts --allow 198.18.0.0/15 --rate 50000 \
    --seed 7 -q --no-graph --no-db -o "$WORK/all"
check test $? = 0
# Every interface and link of the answering routers on the true paths, nothing else.
check $PY "$SRC/tests/integration/sweep/check_sweep.py" discovery "$TRUTH" "$WORK/all"
check $PY - "$TRUTH" "$WORK/all" <<'PY'
import ipaddress, json, sys
truth = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2] + "/summary.json"))
k = s["prefix_knowledge"]
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("  " + what); ok = False
f = k["followers"]
print(f"knowledge: {k['scouts']} scouts; followers {f}; {s['probes_sent']} probes, {s['probes_per_target']:.2f} per target")
need(k["enabled"], "per-/24 knowledge is off")
need(k["scouts"] <= 3 * 256, f"{k['scouts']} scouts for 256 /24s")
need(f["predicted"] > 20000, "few targets planned from their /24's distance")
need(f["edge"] > 10000, "few targets planned from their /24's edge (unrouted, blackholed)")
need(s["probes_per_target"] < 3.0, f"{s['probes_per_target']:.2f} probes per target")
# The split /24: each /25's last hop is on its traces.
nets = [(ipaddress.ip_network(t["prefix"]), t) for t in truth["targets"]]
def prefix_of(dst):
    a = ipaddress.ip_address(dst)
    for n, t in nets:
        if a in n:
            return t
last = {}
for line in open(sys.argv[2] + "/traces.jsonl"):
    tr = json.loads(line)
    if not ipaddress.ip_address(tr["dst"]) in ipaddress.ip_network("198.19.160.0/24") or not tr["reached"]:
        continue
    hops = [h for h in tr["hops"] if h.get("addr") and h["addr"] != tr["dst"]]
    if hops:
        last.setdefault(prefix_of(tr["dst"])["prefix"], set()).add(max(hops, key=lambda h: h["ttl"])["addr"])
want = {t["prefix"]: {p[-1] for p in t["paths"] if p and p[-1]} for t in truth["targets"]
        if ipaddress.ip_network(t["prefix"]).subnet_of(ipaddress.ip_network("198.19.160.0/24"))}
print(f"198.19.160.0/24: last hops seen {sorted((k, sorted(v)) for k, v in last.items())}")
need(len(want) == 2, f"truth splits 198.19.160.0/24 in {len(want)}")
for p, hops in want.items():
    need(hops & last.get(p, set()), f"{p}: last hop {sorted(hops)} not seen (saw {sorted(last.get(p, set()))})")
# Reached only where the truth routes to a host, and there (nearly) always:
# a follower planned from its /24 must not lose its destination.
wrong, missed, sinks = 0, 0, 0
for line in open(sys.argv[2] + "/traces.jsonl"):
    tr = json.loads(line)
    t = prefix_of(tr["dst"])
    host = t is not None and t["kind"] == "sink"  # the sink answers every address of its prefixes
    if host:
        sinks += 1
        missed += not tr["reached"]
    elif tr["reached"]:
        wrong += 1
print(f"reached outside a routed host: {wrong}; routed hosts not reached: {missed} of {sinks}")
need(wrong == 0, "a target the truth does not route to a host was reached")
need(sinks > 30000 and missed <= sinks // 200, "routed hosts not reached")
sys.exit(0 if ok else 1)
PY
[ $fail = 0 ] && echo "sweep_knowledge_test: ok" || echo "sweep_knowledge_test: FAILED"
exit $fail
