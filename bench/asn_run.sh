#!/usr/bin/env bash
# AS lookup benchmark (no root, no network): builds asn_bench in a Release
# tree, turns every 8th IPv4 network of the system libloc database into an
# IPv6-tree ASN .mmdb (tests/graph/make_asn_mmdb.pl, as published ASN
# databases are laid out) and a pfx2as table, then measures all three
# sources raw and through LocationDb's memo on 200,000 distinct random
# addresses (docs/BENCHMARKS.md, "Names and owners").
#   bench/asn_run.sh [BUILD_DIR]      (default build-asn-bench; EVERY=K to change the sample)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-asn-bench}
every=${EVERY:-8}
out=$build/asn-bench-out
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPATHMAP_BENCH=ON >/dev/null
cmake --build "$build" -j2 --target asn_bench
bench=$build/bin/asn_bench
mkdir -p "$out"
echo "load: $(uptime)"
if [ ! -s "$out/asn.mmdb" ]; then
  "$bench" rows --every "$every" > "$out/rows.tsv"
  start=$(date +%s.%N)
  perl "$src/tests/graph/make_asn_mmdb.pl" --v6 "$out/asn.mmdb" < "$out/rows.tsv"
  echo "wrote $(wc -l < "$out/rows.tsv") networks into $out/asn.mmdb ($(stat -c %s "$out/asn.mmdb") bytes) in $(echo "$(date +%s.%N) - $start" | bc) s"
  awk -F'\t' '{ split($1, p, "/"); print p[1] "\t" p[2] "\t" $2 }' "$out/rows.tsv" > "$out/pfx2as.txt"
fi
"$bench" --addresses 200000 --passes 4 --mmdb "$out/asn.mmdb" --pfx2as "$out/pfx2as.txt"
