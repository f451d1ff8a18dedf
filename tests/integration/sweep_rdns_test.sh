#!/bin/bash
# Reverse DNS on the default testbed through its own dnsmasq (the prober's
# /etc/netns/NS/resolv.conf): a sweep's traces.jsonl and GraphML carry
# exactly the truth's names for router interfaces; --rdns none carries none;
# a resolver that does not answer gives one warning and a run that still
# succeeds, with the failures counted; `pathmap graph --rdns` names a file
# that has no names. Needs root; every packet stays in the testbed.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
NAME=srd$$
NAME=${NAME:0:10}
WORK=$(mktemp -d /tmp/pm-sweep-rdns.XXXXXX)
TB="$SRC/scripts/testbed"
cleanup() { timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 120 "$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; echo "FAIL: testbed up"; exit 1; }
TRUTH=$("$TB" truth --name "$NAME")
run() { timeout 120 "$TB" exec --name "$NAME" -- "$@"; }
fail=0
sweep() { run "$BIN" sweep 198.19.0.0/16 --allow 198.18.0.0/15 --rate 10000 --wait 1000 -q "$@"; }

sweep -o "$WORK/named" 2>"$WORK/named.err" || { echo "FAIL: sweep with names"; cat "$WORK/named.err"; fail=1; }
sweep --rdns none --no-graph -o "$WORK/plain" 2>/dev/null || { echo "FAIL: sweep --rdns none"; fail=1; }
# 198.18.250.250 exists nowhere in the testbed: lookups to it go unanswered.
sweep --no-graph --resolver 198.18.250.250 --rdns-timeout 300 -o "$WORK/dead" 2>"$WORK/dead.err" || { echo "FAIL: sweep with a dead resolver exited non-zero"; fail=1; }
run "$BIN" graph "$WORK/plain/traces.jsonl" --rdns -o "$WORK/graph" >"$WORK/graph.log" 2>&1 || { echo "FAIL: graph --rdns"; cat "$WORK/graph.log"; fail=1; }
# report --rdns on a graph directory that carries no names.
"$BIN" graph "$WORK/plain/traces.jsonl" --no-png -o "$WORK/graph-plain" >/dev/null 2>&1 || { echo "FAIL: graph"; fail=1; }
run "$BIN" report "$WORK/graph-plain" --rdns --json >"$WORK/report-named.json" 2>"$WORK/report.err" || { echo "FAIL: report --rdns"; cat "$WORK/report.err"; fail=1; }
"$BIN" report "$WORK/graph-plain" --json >"$WORK/report-plain.json" 2>/dev/null || { echo "FAIL: report"; fail=1; }
run "$BIN" report "$WORK/graph-plain" --rdns >"$WORK/report-named.txt" 2>/dev/null || { echo "FAIL: report --rdns (text)"; fail=1; }

$PY - "$TRUTH" "$WORK" <<'PY' || fail=1
import json, sys, xml.etree.ElementTree as ET
truth, work = json.load(open(sys.argv[1])), sys.argv[2]
names = truth["rdns"]
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg)
def traces(d):
    return [json.loads(l) for l in open(f"{work}/{d}/traces.jsonl")]
# 1. every named router hop carries exactly the truth's name; destinations none (mode routers)
checked = 0
for t in traces("named"):
    for h in t["hops"]:
        a = h.get("addr")
        if not a:
            continue
        if a == t["dst"]:
            if "rdns" in h: bad(f"destination {a} named in mode routers")
            continue
        checked += 1
        if h.get("rdns") != names.get(a):
            bad(f"{a}: rdns {h.get('rdns')!r}, truth {names.get(a)!r}")
if checked < 100: bad(f"only {checked} router hops checked")
s = json.load(open(f"{work}/named/summary.json"))["rdns"]
if s.get("answered", 0) < 20 or s.get("timed_out", 1) != 0: bad(f"named summary: {s}")
def graphml_names(path):
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(path).getroot()
    keys = {k.get("attr.name"): k.get("id") for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key") if k.get("for") == "node"}
    out = {}
    for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node"):
        d = {x.get("key"): x.text for x in n.iter("{http://graphml.graphdrawing.org/xmlns}data")}
        if d.get(keys["kind"]) == "interface":
            out[d[keys["label"]]] = d.get(keys["rdns"])
    return out
for where in ("named", "graph"):
    g = graphml_names(f"{work}/{where}/topology.graphml")
    wrong = {a: n for a, n in g.items() if n != names.get(a)}
    if wrong or len(g) < 20: bad(f"{where} GraphML rdns differs from truth on {len(wrong)} of {len(g)}: {list(wrong.items())[:3]}")
# 2. --rdns none: no names at all
if any("rdns" in h for t in traces("plain") for h in t["hops"]): bad("--rdns none wrote names")
if json.load(open(f"{work}/plain/summary.json"))["rdns"].get("mode") != "none": bad("--rdns none not in the summary")
# 3. a dead resolver: no names, counted
d = json.load(open(f"{work}/dead/summary.json"))["rdns"]
if any("rdns" in h for t in traces("dead") for h in t["hops"]): bad("names with a dead resolver")
if d.get("answered") != 0 or d.get("timed_out", 0) + d.get("failed", 0) + d.get("cut_at_deadline", 0) < d.get("queries", 0) or d.get("queries", 0) < 20:
    bad(f"dead resolver summary: {d}")
# The location database is consulted; the testbed's 198.18/15 and 198.19/16 belong to no AS in it.
loc = json.load(open(f"{work}/named/summary.json")).get("location", {})
if loc.get("database") is None or loc.get("public_hops", 0) == 0 or loc.get("hops_with_asn") != 0: bad(f"location summary: {loc}")
if any("asn" in h for t in traces("named") for h in t["hops"]): bad("an AS on a testbed address")
named_report, plain_report = (json.load(open(f"{work}/report-{k}.json")) for k in ("named", "plain"))
rnamed = 0
for c in named_report["chokepoints"]:
    if c["hop"] in names or c["name"] is not None:
        rnamed += c["name"] is not None
        if c["name"] != names.get(c["hop"]): bad(f"report --rdns: chokepoint {c['hop']} named {c['name']!r}, truth {names.get(c['hop'])!r}")
for l in named_report["top_links"]:
    for end in ("from", "to"):
        if l[end + "_name"] != names.get(l[end]) and (l[end] in names or l[end + "_name"] is not None):
            bad(f"report --rdns: link end {l[end]} named {l[end + '_name']!r}, truth {names.get(l[end])!r}")
        rnamed += l[end + "_name"] is not None
if rnamed < 5: bad(f"report --rdns named only {rnamed} chokepoints and link ends")
if any(c["name"] for c in plain_report["chokepoints"]) or any(l["from_name"] or l["to_name"] for l in plain_report["top_links"]):
    bad("report without --rdns has names the directory does not carry")
text = open(f"{work}/report-named.txt").read()
if not any(n in text for n in names.values()): bad("report --rdns text shows no name")
print(f"rdns: {checked} router hops named as truth; report --rdns named {rnamed}; summary {s}; dead resolver {d}; location {loc}")
sys.exit(0 if ok else 1)
PY
warnings=$(grep -c "reverse DNS" "$WORK/dead.err")
[ "$warnings" = 1 ] || { echo "FAIL: want one warning line for the dead resolver, got $warnings:"; cat "$WORK/dead.err"; fail=1; }
grep -q "reverse DNS" "$WORK/named.err" && { echo "FAIL: a warning with a working resolver"; fail=1; }
[ $fail = 0 ] && echo "sweep_rdns_test: ok" || echo "sweep_rdns_test: FAILED"
exit $fail
