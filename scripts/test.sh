#!/usr/bin/env bash
# The README's test command: installs what is missing, builds with ASan and
# UBSan, runs the whole suite (unit, BPF test-run, namespace integration)
# through ctest, and fails on any failure or on a namespace left behind.
# Prints how many tests skipped; with PATHMAP_REQUIRE_PRIVILEGED=1 (CI sets
# it) a skipped test is a failure: a privileged test that could not run
# proves nothing.
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

# Namespaces that exist before the suite (a demo or testbed running beside
# it) are never touched; only the ones the suite created and left are removed.
netns_names() { ip netns list 2>/dev/null | awk '{print $1}' | sort; }
before=$(mktemp /tmp/pm-test-netns.XXXXXX)
log=$(mktemp /tmp/pm-test-log.XXXXXX)
trap 'rm -f "$before" "$log"' EXIT
netns_names >"$before"
rc=0
(cd "$dir" && ctest --output-on-failure --timeout 900 "$@") 2>&1 | tee "$log" || rc=$?
grep -q "tests passed" "$log" || rc=1

skipped=$(sed -n '/^The following tests did not run:/,/^$/p' "$log" | grep -c '(Skipped)$' || true)
echo "test.sh: ${skipped} tests skipped"
if [ "$skipped" -gt 0 ]; then
  sed -n '/^The following tests did not run:/,/^$/p' "$log" | grep '(Skipped)$' >&2 || true
  if [ "${PATHMAP_REQUIRE_PRIVILEGED:-0}" = 1 ]; then
    echo "test.sh: PATHMAP_REQUIRE_PRIVILEGED=1: a skipped test is a failure" >&2
    rc=1
  fi
fi

left=$(comm -13 "$before" <(netns_names) | grep '^pm' || true)
if [ -n "$left" ]; then
  echo "test.sh: namespaces left behind by the suite:" $left >&2
  for n in $left; do ip netns del "$n" 2>/dev/null || true; done
  rc=1
fi

# libFuzzer targets (scripts/fuzz.sh: clang build in build-fuzz, then
# FUZZ_SECONDS per fuzzer); any finding fails the suite.
if [ "${PATHMAP_FUZZ:-0}" = 1 ]; then
  scripts/fuzz.sh || rc=1
fi

# The kernel-facing tests again, on Debian 12's own 6.1 kernel in a VM
# (scripts/vm-test.sh; the image is cached under build/vm); any failure
# there fails the suite.
if [ "${PATHMAP_VM_TEST:-0}" = 1 ]; then
  PATHMAP_VM_SKIP_BUILD=1 scripts/vm-test.sh "$dir" || rc=1
fi
exit $rc
