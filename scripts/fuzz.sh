#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in build-fuzz with clang, replays
# the regression inputs in tests/data/fuzz/<fuzzer>/, then runs each fuzzer for
# FUZZ_SECONDS (default 60) from seeds made of ../shared/realdata (copied
# into a temporary corpus, never into the repository). One line per fuzzer;
# exits non-zero on any crash, hang, leak, ASan/UBSan report or disagreement.
#   FUZZ_SECONDS=60        run time of each fuzzer
#   FUZZ_JOBS=1            fuzzers run side by side (one core each)
#   FUZZ_BUILD_JOBS=nproc  compile jobs
#   FUZZ_ONLY="a b"        only these fuzzers (names as printed)
#   PATHMAP_REALDATA       the shared data (default <source>/../shared/realdata)
# Findings are kept under build-fuzz/fuzz-findings/<fuzzer>/; minimise one with
#   build-fuzz/bin/<fuzzer> -minimize_crash=1 -runs=100000 -exact_artifact_path=OUT CRASH
# and add OUT to tests/data/fuzz/<fuzzer>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
dir=build-fuzz
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
realdata=${PATHMAP_REALDATA:-$src/../shared/realdata}
all=(fuzz_reply_parser fuzz_traceroute_text fuzz_scamper_json fuzz_warts fuzz_atlas_json fuzz_mtr_json
     fuzz_pathmap_jsonl fuzz_trace_line)
fuzzers=("${all[@]}")
[ -n "${FUZZ_ONLY:-}" ] && read -r -a fuzzers <<<"$FUZZ_ONLY"

for d in pcap traceroute scamper atlas mtr; do
  [ -d "$realdata/$d" ] || { echo "fuzz.sh: no seeds: $realdata/$d missing (set PATHMAP_REALDATA)" >&2; exit 1; }
done

start=$SECONDS
if [ ! -f "$dir/CMakeCache.txt" ]; then
  CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++} cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPATHMAP_FUZZ=ON -DPATHMAP_TESTS=OFF -DPATHMAP_BENCH=OFF >&2
fi
cmake --build "$dir" -j "${FUZZ_BUILD_JOBS:-$(nproc)}" --target fuzz_targets >&2
echo "fuzz.sh: build $((SECONDS - start)) s"

# Sanitizer reports abort the run; libFuzzer then saves the input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d /tmp/pm-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
findings=$src/$dir/fuzz-findings
bin=$src/$dir/bin

# Seeds, one corpus directory per fuzzer.
mkdir -p "$work/seeds"
for f in "${all[@]}"; do mkdir -p "$work/seeds/$f"; done
"$bin/fuzz_seeds" frames "$work/seeds/fuzz_reply_parser" "$realdata"/pcap/* >/dev/null
cp "$realdata"/traceroute/* "$work/seeds/fuzz_traceroute_text/"
find "$realdata/scamper" -maxdepth 1 -type f -name '*.json*' -exec cp {} "$work/seeds/fuzz_scamper_json/" \;
find "$realdata/scamper" -type f -name '*.warts' -exec cp {} "$work/seeds/fuzz_warts/" \;
cp "$realdata"/atlas/* "$work/seeds/fuzz_atlas_json/"
cp "$realdata"/mtr/* "$work/seeds/fuzz_mtr_json/"
find "$realdata"/{traceroute,scamper,atlas,mtr} -maxdepth 1 -type f -print0 |
  xargs -0 "$bin/fuzz_seeds" traces "$work/seeds/fuzz_pathmap_jsonl" "$work/seeds/fuzz_trace_line" >/dev/null

# run_one NAME: replay its regression inputs, then fuzz; writes the
# summary line to $work/NAME.result and the log to $work/NAME.log.
run_one() {
  local f=$1 corpus=$work/corpus/$f art=$findings/$f log=$work/$f.log regress=$src/tests/data/fuzz/$f
  mkdir -p "$corpus" "$art"
  cp -r "$work/seeds/$f/." "$corpus/"
  local inputs=()
  if [ -d "$regress" ]; then
    while IFS= read -r -d '' x; do inputs+=("$x"); done < <(find "$regress" -type f -print0 | sort -z)
  fi
  if [ ${#inputs[@]} -gt 0 ]; then
    if ! "$bin/$f" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$log" 2>&1; then
      echo "$f: FAIL: a regression input in tests/data/fuzz/$f fails again (log: $art/replay.log)" >"$work/$f.result"
      cp "$log" "$art/replay.log"
      return
    fi
    cp "${inputs[@]}" "$corpus/"
  fi
  local rc=0 dict=()
  [ "$f" = fuzz_reply_parser ] || [ "$f" = fuzz_traceroute_text ] || [ "$f" = fuzz_warts ] ||
    dict=(-dict="$src/tests/fuzz/json.dict")
  timeout $((seconds + 300)) "$bin/$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  local execs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "$f: ok, ${execs:-?} execs in ${seconds} s (${rate:-?}/s), ${#inputs[@]} regression inputs replayed" \
      >"$work/$f.result"
  else
    cp "$log" "$art/fuzz.log"
    local what
    what=$(grep -m1 -E '^==[0-9]+==ERROR|runtime error|disagree|escaped the reader|fuzz_reply_parser:|ALARM|out-of-memory|leak' \
      "$log" || echo "exit $rc")
    echo "$f: FAIL after ${execs:-?} execs: $what (inputs and log in $art/)" >"$work/$f.result"
  fi
}

mkdir -p "$work/corpus"
running=0
for f in "${fuzzers[@]}"; do
  [ -x "$bin/$f" ] || { echo "$f: FAIL: $bin/$f not built" >"$work/$f.result"; continue; }
  run_one "$f" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

rc=0
for f in "${fuzzers[@]}"; do
  cat "$work/$f.result"
  grep -q ': ok,' "$work/$f.result" || rc=1
done
echo "fuzz.sh: ${#fuzzers[@]} fuzzers, $((SECONDS - start)) s in all"
exit $rc
