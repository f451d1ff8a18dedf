#!/usr/bin/env bash
# Regenerates the testbed_* fixtures: brings up the default testbed, runs
# scamper, mtr and traceroute from inside its prober namespace against a few
# testbed targets only, and tears it down. Needs root. Not run by CI: the
# committed fixtures are what the parser tests read.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
out="$src/tests/data/graph"
name=gfix$$
tb="$src/scripts/testbed"
trap '"$tb" down --name "$name" >/dev/null 2>&1 || true; rm -f /tmp/$name.warts' EXIT
"$tb" up "$src/tests/topologies/default.json" --name "$name" >/dev/null
# Targets: a core sink, one behind the CGNAT, one behind the private backbone, an unreachable one.
targets=(198.19.1.1 198.19.64.1 198.19.96.1 198.19.240.1)
sleep 1
"$tb" exec --name "$name" -- scamper -O warts -o /tmp/$name.warts -c "trace -P icmp-paris -q 1 -w 1" -i "${targets[@]}"
sc_warts2json /tmp/$name.warts > "$out/testbed_scamper.json"
: > "$out/testbed_traceroute.txt"
for t in "${targets[@]}"; do
  "$tb" exec --name "$name" -- traceroute -n -q 1 -w 1 -m 16 "$t" >> "$out/testbed_traceroute.txt" 2>/dev/null || true
done
"$tb" exec --name "$name" -- mtr -n --json -c 3 -i 0.2 "${targets[0]}" > "$out/testbed_mtr.json"
cp "$("$tb" truth --name "$name")" "$out/testbed_default_truth.json"
echo "fixtures written to $out"
