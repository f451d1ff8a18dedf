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

# The main job. Once the probe engine lands this becomes
#   in_prober "$pathmap" sweep 198.19.0.0/16 --allow 198.18.0.0/15 ... -o "$out"
#   "$pathmap" report "$out"
run_main_job() {
  if "$pathmap" sweep --help >/dev/null 2>&1; then
    echo "note: 'pathmap sweep' exists in this build, but the demo does not drive it yet;"
    echo "      it runs the checks below instead."
  else
    echo "note: 'pathmap sweep' is not built yet (probe engine issue); the demo runs"
    echo "      'pathmap doctor' in the prober namespace and Debian traceroute instead."
  fi
  echo
  in_prober "$pathmap" doctor --iface eth0 | tee "$out/doctor.txt" || true
  # A few targets: the longest path, the CGNAT and private segments, and
  # the unreachable and blackholed prefixes.
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
echo "outputs: $out/ (truth.json, doctor.txt, traceroutes.txt, build.log)"
echo "the testbed is torn down on exit."
