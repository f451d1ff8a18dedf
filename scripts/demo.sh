#!/usr/bin/env bash
# The README's first command: installs what is missing, builds pathmap,
# brings up the default mini-internet (tests/topologies/default.json),
# runs pathmap's main job on it, prints a short summary and where the
# outputs are (out/demo/), and tears the testbed down on exit, failure or
# Ctrl-C. Every packet stays inside the testbed's namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run as root: it installs packages and builds network namespaces" >&2
  exit 1
fi

name="demo$$"
name=${name:0:10}
out="$repo/out/demo"
testbed="$repo/scripts/testbed"

teardown() {
  "$testbed" down --name "$name" >/dev/null 2>&1 || true
}
trap teardown EXIT
trap 'echo "demo.sh: interrupted" >&2; exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "Installing what is missing (scripts/setup.sh)"
scripts/setup.sh

rm -rf "$out"
mkdir -p "$out"
step "Building (scripts/build.sh release; log in out/demo/build.log)"
if ! scripts/build.sh release > "$out/build.log" 2>&1; then
  echo "demo.sh: the build failed; the last lines of $out/build.log:" >&2
  grep -v "GLOB mismatch" "$out/build.log" | tail -n 25 >&2
  exit 1
fi
build_dir=$(tail -n 1 "$out/build.log")
pathmap="$repo/$build_dir/bin/pathmap"
[ -x "$pathmap" ] || { echo "demo.sh: build finished but $pathmap is missing" >&2; exit 1; }

step "Bringing up the default mini-internet as '$name'"
"$testbed" up tests/topologies/default.json --name "$name"
truth=$("$testbed" truth --name "$name")
cp "$truth" "$out/truth.json"

in_prober() { "$testbed" exec --name "$name" -- "$@"; }

# The main job: a sweep of the testbed's /16 from the prober namespace,
# then the graph and report stages where this build has them, then a
# comparison of what the sweep found with the testbed's ground truth.
# Without `pathmap sweep` (before the probe engine landed) it falls back to
# `pathmap doctor` and Debian traceroute to a few targets.
has_command() { "$pathmap" "$1" --help >/dev/null 2>&1; }

run_fallback_checks() {
  in_prober "$pathmap" doctor --iface eth0 | tee "$out/doctor.txt" || true
  # A few targets: the longest path, the CGNAT and private segments, and
  # the unreachable, prohibited and blackholed prefixes.
  /usr/bin/python3 - "$truth" > "$out/targets.txt" <<'PY'
import ipaddress, json, sys
t = json.load(open(sys.argv[1]))
sinks = [x for x in t["targets"] if x["kind"] == "sink"]
picks = [max(sinks, key=lambda x: len(x["hops"]))]
for want in (t["cgnat_addresses"], t["private_addresses"]):
    picks += [x for x in sinks if any(a in want for h in x["hops"] for a in h if a)][:1]
for kind in ("unreachable", "prohibit", "blackhole"):
    picks += [x for x in t["targets"] if x["kind"] == kind][:1]
for x in picks:
    net = ipaddress.ip_network(x["prefix"])
    print(net.network_address + 1, x["prefix"], x["kind"], len(x["hops"]))
PY
  : > "$out/traceroutes.txt"
  while read -r dst prefix kind hops; do
    echo "-- traceroute to $dst ($kind $prefix, $hops router hops in truth)" | tee -a "$out/traceroutes.txt"
    in_prober traceroute -n -q 1 -w 1 -m $((hops + 2)) "$dst" | tee -a "$out/traceroutes.txt"
  done < "$out/targets.txt"
}

run_main_job() {
  if ! has_command sweep; then
    echo "note: 'pathmap sweep' is not built yet (probe engine issue); the demo runs"
    echo "      'pathmap doctor' in the prober namespace and Debian traceroute instead."
    run_fallback_checks
    return
  fi
  in_prober "$pathmap" doctor --iface eth0 > "$out/doctor.txt" || true
  echo "pathmap sweep 198.19.0.0/16 --allow 198.18.0.0/15 -o out/demo (in the prober namespace)"
  in_prober "$pathmap" sweep 198.19.0.0/16 --allow 198.18.0.0/15 --rate 10000 -q -o "$out"
  if has_command graph; then
    echo "pathmap graph out/demo/traces.jsonl -o out/demo/graph"
    "$pathmap" graph "$out/traces.jsonl" -o "$out/graph"
    if has_command report && [ -f "$out/graph/profiles.jsonl" ]; then
      echo "pathmap report out/demo/graph"
      "$pathmap" report "$out/graph" | tee "$out/report.txt"
    fi
  fi
  # What the sweep found against the ground truth.
  /usr/bin/python3 - "$truth" "$out/traces.jsonl" "$out/summary.json" <<'PY' | tee "$out/vs_truth.txt"
import json, sys
t = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[3]))
truth_addrs = {a for x in t["targets"] for h in x["hops"] for a in h if a}
seen, reached = set(), set()
for line in open(sys.argv[2]):
    tr = json.loads(line)
    for h in tr.get("hops", []):
        if h.get("icmp_type") == 11:
            seen.add(h["addr"])
    if tr.get("reached"):
        reached.add(tr["dst"])
routed = sum(1 for x in t["targets"] if x["kind"] == "sink")
print(f"sweep: {s.get('probes_sent')} probes in {s.get('duration_s', 0):.1f}s, "
      f"{len(reached)} of {s.get('targets')} targets reached ({routed} /24s are routed)")
print(f"router interfaces: {len(seen & truth_addrs)} of {len(truth_addrs)} in ground truth found, "
      f"{len(seen - truth_addrs)} not in ground truth {sorted(seen - truth_addrs)[:5]}")
missing = sorted(truth_addrs - seen)
if missing:
    names = {r["reply_addr"]: f"{r['name']} ({r['icmp']})" for r in t["routers"] if r["reply_addr"]}
    print("not found: " + ", ".join(f"{a} {names.get(a, '')}".strip() for a in missing[:10]))
PY
}

step "Running the main job"
run_main_job

step "Summary"
/usr/bin/python3 - "$truth" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
sinks = [x for x in t["targets"] if x["kind"] == "sink"]
longest = max(len(p) for x in t["targets"] for p in x["router_paths"])
print(f"testbed: {len(t['routers'])} routers, {len(sinks)} routed prefixes, longest path {longest} router hops, "
      f"up in {t['run']['up_seconds']:.1f}s")
print(f"ECMP routers {', '.join(t['ecmp_routers'])}; silent {', '.join(t['silent_routers'])}; "
      f"rate-limited {', '.join(r['name'] for r in t['rate_limited_routers'])}")
print(f"unreachable {', '.join(t['unreachable_prefixes'])}; blackholed {', '.join(t['blackholed_prefixes'])}; "
      f"NAT at {', '.join(e['router'] for e in t['nat_edges'])}")
delays = ", ".join("%s-%s %s ms" % (d["a"], d["b"], d["delay_ms"]) for d in t["delay_links"])
losses = ", ".join("%s->%s %s" % (l["a"], l["b"], l["probability"]) for l in t["lossy_links"])
print(f"delay lines {delays}; lossy links {losses}")
PY
echo "outputs: $out/ (truth.json, traces.jsonl and summary.json from the sweep, graph/, vs_truth.txt, build.log)"
[ -f "$out/graph/topology.png" ] && echo "picture: $out/graph/topology.png; open $out/graph/topology.graphml in Gephi"
echo "the testbed is torn down on exit."
