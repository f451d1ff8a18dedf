#!/bin/bash
# pathmap diff on tests/topologies/diff.json: three sweeps into one hop
# store, the testbed's routing changed between the second and the third
# (r2 sends 198.19.2.0/24 through r4 instead of r3; r5 blackholes
# 198.19.3.0/24). diff 1 2 reports no change; diff 2 3 names exactly the
# destinations of those two prefixes, with the hops added and removed taken
# from the testbed's truth, and 198.19.3.0/24 newly unreachable; text and
# --json agree. Needs root. Everything it starts it stops (trap).
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$(readlink -f "${PATHMAP_BIN:-$SRC/build/bin/pathmap}")
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
NAME=hsd$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-store-diff.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() {
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail=0
check() { if "$@"; then :; else echo "FAIL: $*"; fail=1; fi; }

timeout 120 "$TB" up "$SRC/tests/topologies/diff.json" --name "$NAME" >"$WORK/up.log" 2>&1 ||
    { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 60 "$TB" exec --name "$NAME" -- "$@"; }
# The addresses the change swaps, from the truth: r2's neighbours' ends of
# the r2-r3 and r2-r4 links (what answers at TTL 3 on each branch).
read -r R3 R4 <<<"$($PY - "$TRUTH" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ifs = {r["name"]: {i["peer"]: i["addr"] for i in r["interfaces"]} for r in t["routers"]}
print(ifs["r3"]["r2"], ifs["r4"]["r2"])
PY
)"
printf '198.19.1.0/24\n198.19.2.0/24\n198.19.3.0/24\n' >"$WORK/prefixes.txt"
# The same seed: the same 8 hosts per /24 each time. --complete-traces: every
# TTL probed, so a hop that changed is seen whichever trace crosses it.
SWEEP=(sweep -f "$WORK/prefixes.txt" --per-24 8 --seed 7 --flows 2 --complete-traces --allow 198.18.0.0/15
       --rate 5000 --wait 300 --rdns none -q --no-graph --db "$WORK/d.db")
for i in 1 2; do
    run "$BIN" "${SWEEP[@]}" -o "$WORK/s$i"
    check test $? = 0
done
# The change, inside the run's own router namespaces.
ip netns exec "pm$NAME-r2" ip route replace 198.19.2.0/24 via "$R4" || { echo "FAIL: route change on r2"; exit 1; }
ip netns exec "pm$NAME-r5" ip route replace blackhole 198.19.3.0/24 || { echo "FAIL: blackhole on r5"; exit 1; }
run "$BIN" "${SWEEP[@]}" -o "$WORK/s3"
check test $? = 0

# --- No change between 1 and 2. ---
"$BIN" diff --db "$WORK/d.db" 1 2 >"$WORK/d12.txt"
check test $? = 0
cat "$WORK/d12.txt"
check grep -q "24 destinations compared, 0 changed path" "$WORK/d12.txt"
check test "$(wc -l <"$WORK/d12.txt")" = 1

# --- 2 -> 3: exactly the moved and the blackholed prefix. ---
"$BIN" diff --db "$WORK/d.db" 2 3 >"$WORK/d23.txt"
check test $? = 0
"$BIN" diff --db "$WORK/d.db" 2 3 --json >"$WORK/d23.json"
check test $? = 0
cat "$WORK/d23.txt"
check $PY - "$WORK/d23.json" "$WORK/d23.txt" "$WORK/s2/traces.jsonl" "$R3" "$R4" <<'PY'
import ipaddress, json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read().splitlines()
r3, r4 = sys.argv[4], sys.argv[5]
dsts = sorted({json.loads(l)["dst"] for l in open(sys.argv[3])}, key=ipaddress.ip_address)
net = lambda a: str(ipaddress.ip_network(a + "/24", strict=False))
assert d["a"]["id"] == 2 and d["b"]["id"] == 3 and d["compared"] == 24 == len(dsts), d["compared"]
assert d["only_in_a"] == [] and d["only_in_b"] == []
changed = {c["dst"]: c for c in d["changed"]}
want = [x for x in dsts if net(x) in ("198.19.2.0/24", "198.19.3.0/24")]
assert sorted(changed, key=ipaddress.ip_address) == want, (sorted(changed), want)
for dst, c in changed.items():
    if net(dst) == "198.19.2.0/24":
        assert c["changes"] == ["hops_added", "hops_removed"], c
        assert c["added"] == [r4] and c["removed"] == [r3], c
        assert c["a"]["reached"] and c["b"]["reached"] and c["a"]["distance"] == c["b"]["distance"], c
    else:
        assert "newly_unreachable" in c["changes"] and "last_hop_changed" in c["changes"], c
        assert c["a"]["reached"] and not c["b"]["reached"] and c["b"]["distance"] is None, c
        # The path now dies before r5: the last hop is r3's.
        assert c["b"]["last_hops"] == [r3], c
# The text names the same destinations, one line each after the header.
assert len(text) == 1 + len(changed), text
assert [l.split()[0] for l in text[1:]] == [c["dst"] for c in d["changed"]], text
print(f"diff 2 3: {len(changed)} destinations changed, all in 198.19.2.0/24 and 198.19.3.0/24")
PY

# --- Mistakes: one line, exit 2. ---
"$BIN" diff --db "$WORK/d.db" 2 9 2>"$WORK/e1"
check test $? = 2
check test "$(wc -l <"$WORK/e1")" = 1
"$BIN" diff --db "$WORK/none.db" 1 2 2>"$WORK/e2"
check test $? = 2
check test ! -e "$WORK/none.db"

[ $fail = 0 ] && echo "store_diff_test: ok" || echo "store_diff_test: FAILED"
exit $fail
