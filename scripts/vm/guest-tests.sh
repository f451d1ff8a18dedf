#!/usr/bin/env bash
# The kernel-facing tests, run inside the test VM by scripts/vm/guest-boot.sh
# (on Debian 12's own kernel; scripts/vm-test.sh boots it). Writes
# $PATHMAP_VM_OUT/guest.log: `uname -r`, one RESULT line per step, and a
# final DONE line, which scripts/vm-test.sh reads after the guest powers
# off; each step's full output goes to $PATHMAP_VM_OUT/<step>.log.
#
# Steps: the ASan binaries' libraries resolve; every BPF test (verifier load,
# test-run, native and generic attach, ring buffer); the engine's TX tests
# (every sender kind, AF_XDP copy mode, one and two queues); the TX budget
# probe against what the sender reports; a sweep and an mtr run on the small
# testbed against its truth and Debian's mtr. A test that skips fails.
# Every packet stays inside namespaces this script (or a test) creates.
set -uo pipefail
SRC=${PATHMAP_VM_SRC:?} BUILD=${PATHMAP_VM_BUILD:?} OUT=${PATHMAP_VM_OUT:?}
export BIN=$BUILD/bin
LOG=$OUT/guest.log
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export PATHMAP_SOURCE_DIR=$SRC PATHMAP_BIN=$BIN/pathmap

say() { echo "$*" | tee -a "$LOG"; }
: >"$LOG"
say "uname -r: $(uname -r)"
say "kernel: $(uname -v)"
say "cpus: $(nproc), memory: $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo)"
say "build: $BUILD"

passed=0 failed=0
# step NAME SECONDS CMD...: runs CMD under a timeout, its output in NAME.log.
step() {
  local name=$1 secs=$2; shift 2
  local t0=$SECONDS rc=0
  echo "== $name: $*" >"$OUT/$name.log"
  # bash -c: CMD may be one of this script's functions (exported below).
  timeout --kill-after=10 "$secs" bash -c '"$@"' "$name" "$@" >>"$OUT/$name.log" 2>&1 || rc=$?
  local verdict=PASS why=""
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then verdict=FAIL why=" (timed out after ${secs} s)"
  elif [ $rc -ne 0 ]; then verdict=FAIL why=" (exit $rc)"
  elif grep -q '^\[  SKIPPED \]' "$OUT/$name.log"; then verdict=FAIL why=" (a test skipped)"
  fi
  if [ $verdict = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  say "RESULT $name $verdict $((SECONDS - t0)) s$why"
  if [ $verdict = FAIL ]; then tail -25 "$OUT/$name.log" | sed 's/^/  | /' | tee -a "$LOG"; fi
}

# gtest BINARY [FILTER]: a GoogleTest binary; fails unless at least one
# test ran (an empty filter proves nothing). Skips fail in step().
gtest() {
  set -o pipefail # the binary's status, not tee's
  local out rc=0
  out=$(mktemp)
  "$1" --gtest_filter="${2:-*}" --gtest_color=no 2>&1 | tee "$out" || rc=$?
  grep -q '^\[  PASSED  \] [1-9]' "$out" || { echo "no test passed"; rc=1; }
  rm -f "$out"
  return $rc
}
gtest_step() { # NAME SECONDS BINARY [FILTER]
  step "$1" "$2" gtest "$3" "${4:-*}"
  grep -E '^\[  (PASSED|FAILED|SKIPPED) +\] [0-9]' "$OUT/$1.log" | sed 's/^/  /' | tee -a "$LOG" >/dev/null
}

libs() {
  local bad=0
  for b in pathmap bpf_tests engine_tests; do
    [ -x "$BIN/$b" ] || { echo "$BIN/$b missing"; bad=1; continue; }
    if ldd "$BIN/$b" | grep 'not found'; then echo "$b: libraries missing (scripts/vm/packages.list)"; bad=1; fi
  done
  return $bad
}
export -f gtest libs
step libs 60 libs

gtest_step bpf_tests 600 "$BIN/bpf_tests"
gtest_step engine_tx 300 "$BIN/engine_tests" '*SenderOnVeth.*:XskSender.*:Sender.*:NextHop.*'

# The small testbed: a sweep and an mtr run (scripts/vm/guest-testbed.sh).
TB=$SRC/scripts/testbed NAME=vm1
export PATHMAP_TESTBED_STATE=/run/pathmap-testbed
step testbed_up 300 "$TB" up "$SRC/tests/topologies/small.json" --name $NAME
if TRUTH=$("$TB" truth --name $NAME 2>/dev/null); then
  for s in sweep_discovery sweep_paths tx_budget mtr; do
    step "$s" 600 bash "$SRC/scripts/vm/guest-testbed.sh" "$s" "$NAME" "$TRUTH" "$OUT/$s"
  done
else
  say "RESULT testbed FAIL (no testbed: sweep and mtr not run)"; failed=$((failed + 1))
fi
"$TB" down --name $NAME >/dev/null 2>&1

say "DONE passed=$passed failed=$failed"
sync
