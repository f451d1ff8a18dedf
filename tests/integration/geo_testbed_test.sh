#!/usr/bin/env bash
# Live geolocation: bring up tests/topologies/geo.json (routers on real city
# coordinates, great-circle delay lines, PTR names with IATA codes served by
# the testbed's dnsmasq), trace every sink from the prober namespace with
# Debian traceroute and with pathmap sweep, and geolocate both with names
# pathmap resolves itself: `geolocate --rdns` for traceroute's bare
# addresses, the sweep's own reverse DNS (on by default) for its traces.
# getent in the prober namespace is the reference for how many names there
# are. Every hop is compared with truth.json. All packets stay inside the
# run's namespaces.
set -euo pipefail
: "${PATHMAP_BIN:?}" "${PATHMAP_SOURCE_DIR:?}"
src="$PATHMAP_SOURCE_DIR"
tb="$src/scripts/testbed"
py=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then echo "geo_testbed_test: needs root"; exit 77; fi
probe_ns="pmgeochk$$"
if ! ip netns add "$probe_ns" 2>/dev/null; then echo "geo_testbed_test: cannot create network namespaces"; exit 77; fi
ip netns del "$probe_ns"

name="geo$((RANDOM % 100000))"
work=$(mktemp -d /tmp/pathmap-geo-live.XXXXXX)
cleanup() { "$tb" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

"$tb" up "$src/tests/topologies/geo.json" --name "$name" > "$work/up.log"
truth=$("$tb" truth --name "$name")

# One address in the first prefix of every sink.
mapfile -t targets < <($py - "$truth" <<'PY'
import json, sys, ipaddress
t = json.load(open(sys.argv[1]))
for s in t["sinks"]:
    p = ipaddress.ip_network(s["prefixes"][0])
    print(p.network_address + 7)
PY
)
[ "${#targets[@]}" -ge 4 ] || { echo "FAIL: expected sinks in geo.json"; exit 1; }

for t in "${targets[@]}"; do
  timeout 60 "$tb" exec --name "$name" -- traceroute -n -q 3 -w 2 -m 14 "$t" > "$work/tr-$t.txt" || true
done

# Hop addresses -> names through the testbed's DNS, from the prober
# namespace: the reference count for pathmap's own lookups.
grep -ohE '^ *[0-9]+ +([0-9]+\.){3}[0-9]+' "$work"/tr-*.txt | awk '{print $2}' | sort -u > "$work/addrs.txt"
: > "$work/names.txt"
while read -r a; do
  n=$(timeout 10 "$tb" exec --name "$name" -- getent hosts "$a" | awk '{print $2}' || true)
  echo "$a ${n:-}" >> "$work/names.txt"
done < "$work/addrs.txt"
named=$(awk 'NF == 2' "$work/names.txt" | wc -l)
[ "$named" -ge 5 ] || { echo "FAIL: the testbed's resolver named only $named hop addresses"; exit 1; }

# traceroute output -> pathmap traces.jsonl (min RTT per hop, no names).
$py - "$work" "${targets[@]}" > "$work/traces.jsonl" <<'PY'
import json, re, sys
work, targets = sys.argv[1], sys.argv[2:]
for t in targets:
    hops = []
    for line in open(f"{work}/tr-{t}.txt"):
        m = re.match(r"\s*(\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(.*)", line)
        if not m: continue
        rtts = [float(x) for x in re.findall(r"([\d.]+) ms", m.group(3))]
        if not rtts: continue
        h = {"ttl": int(m.group(1)), "addr": m.group(2), "rtt_ms": min(rtts), "icmp_type": 11, "icmp_code": 0,
             "reply_ttl": 0, "quoted_ttl": 0, "mpls_labels": []}
        hops.append(h)
    reached = bool(hops) and hops[-1]["addr"] == t
    print(json.dumps({"dst": t, "flow_id": 0, "reached": reached, "stop_reason": "reached" if reached else "max_ttl", "hops": hops}))
PY

# geolocate --rdns, run in the prober namespace so it asks the testbed's
# dnsmasq: it must find every name getent found.
"$tb" exec --name "$name" -- "$PATHMAP_BIN" geolocate "$work/traces.jsonl" -o "$work/out" --vantage Singapore,SG --rdns
$py - "$work/out/summary.json" "$named" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["rdns"]
want = int(sys.argv[2])
print(f"geolocate --rdns: {s}")
assert s.get("answered") == want, f"geolocate --rdns named {s.get('answered')} addresses, getent {want}"
PY

compare() { # traces.jsonl geolocated.jsonl label
  $py - "$truth" "$1" "$2" "$3" <<'PY'
import json, math, sys
truth = json.load(open(sys.argv[1]))
traces = [json.loads(l) for l in open(sys.argv[2])]
results = [json.loads(l) for l in open(sys.argv[3])]
label = sys.argv[4]
def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2-la1)/2)**2 + math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2*6371*math.asin(math.sqrt(h))
where = {}
routers = {r["name"]: r for r in truth["routers"]}
for r in truth["routers"]:
    for a in r["addresses"]: where[a] = (r["lat"], r["lon"], r["city"])
import ipaddress
sink_loc = []
for s in truth["sinks"]:
    r = routers[s["router"]]
    for p in s["prefixes"]:
        sink_loc.append((ipaddress.ip_network(p), (r["lat"], r["lon"], r["city"])))
def truth_of(addr):
    if addr in where: return where[addr]
    for net, loc in sink_loc:
        if ipaddress.ip_address(addr) in net: return loc
    return None
assert len(results) == len(traces) and results, "no output"
hops_ok = hops_all = paths_ok = 0
for t, r in zip(traces, results):
    errs = []
    assert [h["hop"] for h in r["hops"]] == [h["ttl"] for h in t["hops"]]
    for h in r["hops"]:
        tl = truth_of(h["addr"])
        assert tl, f"{h['addr']} not in truth"
        hops_all += 1
        if h.get("lat") is None: # left unplaced: a miss, with the reason the output gives
            print(f"  {label} {t['dst']:>15} hop {h['hop']:2} {h['addr']:>15} truth {tl[2]:<10} unplaced: {h.get('unplaced')}")
            continue
        e = km((h["lat"], h["lon"]), tl[:2])
        errs.append(e)
        hops_ok += e < 200
        print(f"  {label} {t['dst']:>15} hop {h['hop']:2} {h['addr']:>15} truth {tl[2]:<10} decoded {h['city']:<18} {e:6.0f} km post {h['posterior']:.2f}")
    assert len(errs) >= 3, f"{t['dst']}: too few hops traced"
    paths_ok += sum(errs) / len(errs) < 200
print(f"{label}: {paths_ok}/{len(results)} paths with mean error < 200 km, {hops_ok}/{hops_all} hops within 200 km")
assert paths_ok == len(results), "a path's mean error is 200 km or more"
# 90%, not all: the testbed's delay lines are userspace processes, and now
# and then a router's answer comes back slower than the next router's (fra2
# at 121-126 ms behind ams/lon at 115-118 ms in one run), which puts that
# hop beside its successor, one city (365-640 km) off.
assert hops_ok >= 0.9 * hops_all, f"only {hops_ok} of {hops_all} hops within 200 km"
PY
}
compare "$work/traces.jsonl" "$work/out/geolocated.jsonl" traceroute

# pathmap sweep, with its own names: same check on its own traces. It must
# run: a geolocation test that passes without pathmap's sweep proves less.
if ! timeout 120 "$tb" exec --name "$name" -- "$PATHMAP_BIN" sweep "${targets[@]}" -o "$work/sweep" \
     --allow 198.18.0.0/15 --rate 1000 --flows 3 -q > "$work/sweep.log" 2>&1; then
  echo "FAIL: pathmap sweep: $(tail -3 "$work/sweep.log")"; exit 1
fi
$py - "$work/sweep/traces.jsonl" "$work/names.txt" > "$work/sweep-answered.jsonl" <<'PY'
import json, sys
names = dict(l.split() for l in open(sys.argv[2]) if len(l.split()) == 2)
seen = named = 0
# Three flows per target, merged with the fastest answer per TTL, as
# traceroute -q 3 is read above: one probe's RTT swells when the machine is
# loaded (the send time is taken in userspace), and moved hops a city on.
by_dst = {}
for line in open(sys.argv[1]):
    t = json.loads(line)
    m = by_dst.setdefault(t["dst"], dict(t, hops={}))
    for h in t["hops"]:
        if not h.get("addr") or h.get("rtt_ms") is None: continue # probed silences have no place to check
        best = m["hops"].get(h["ttl"])
        if best is None or h["rtt_ms"] < best["rtt_ms"]: m["hops"][h["ttl"]] = h
for t in by_dst.values():
    t["hops"] = [t["hops"][k] for k in sorted(t["hops"])]
    for h in t["hops"]:
        if h["addr"] == t["dst"]: continue # --rdns routers: destinations are not looked up
        seen += 1
        want = names.get(h["addr"])
        got = h.get("rdns")
        assert got == want, f"sweep named {h['addr']} {got!r}, the testbed's resolver says {want!r}"
        named += got is not None
    if len(t["hops"]) >= 3: print(json.dumps(t))
print(f"sweep: {named} of {seen} router hops named, each as the resolver names it", file=sys.stderr)
assert named >= 5, "the sweep named too few hops"
PY
[ -s "$work/sweep-answered.jsonl" ] || { echo "FAIL: pathmap sweep gave no trace with 3 answering hops"; exit 1; }
"$PATHMAP_BIN" geolocate "$work/sweep-answered.jsonl" -o "$work/out-sweep" --vantage Singapore,SG
compare "$work/sweep-answered.jsonl" "$work/out-sweep/geolocated.jsonl" sweep
echo "geo_testbed_test: all checks passed"
