#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with ASan and
# UBSan, runs the whole suite (unit, BPF test-run, namespace integration)
# through ctest, and fails on any failure or on a namespace left behind.
# Extra arguments go to ctest (e.g. scripts/test.sh -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root: the suite loads BPF programs and builds network namespaces" >&2
  exit 1
fi
scripts/setup.sh
dir=$(scripts/build.sh asan)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

before=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -c '^pm' || true)
rc=0
(cd "$dir" && ctest --output-on-failure --timeout 900 "$@") || rc=$?

left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pm' || true)
if [ -n "$left" ] && [ "$(echo "$left" | wc -l)" -gt "$before" ]; then
  echo "test.sh: namespaces left behind by the suite:" $left >&2
  for n in $left; do ip netns del "$n" 2>/dev/null || true; done
  rc=1
fi
exit $rc
