#!/usr/bin/env bash
# Geolocation benchmark: builds an optimised geo_bench of its own (no root,
# no network), then runs accuracy on corpora with 10/20/30% wrong GeoDB
# answers and decoding speed on 413,354 traces. Results go to stdout.
#   bench/geo_run.sh [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/pathmap-geo-bench}
mkdir -p "$out"
c++ -O2 -DNDEBUG -std=c++20 -I"$src/include" -I"$src" -o "$out/geo_bench" \
    "$src/bench/geo_bench.cpp" "$src"/graph/geo/*.cpp "$src"/userspace/common/*.cpp -lfmt -pthread
for wrong in 0.1 0.2 0.3; do
  "$out/geo_bench" accuracy --paths 10000 --wrong "$wrong" --seed 1 || echo "accuracy below 95% at wrong=$wrong"
  echo
done
"$out/geo_bench" accuracy --paths 100000 --wrong 0.2 --seed 3 --write "$out/corpus100k.jsonl" > /dev/null || true
"$out/geo_bench" end-to-end --write "$out/corpus100k.jsonl" --threads 2
"$out/geo_bench" speed --traces 413354 --threads 2
