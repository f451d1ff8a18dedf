#!/usr/bin/env bash
# Configure and build one build tree. Usage: scripts/build.sh [release|asan] [cmake target...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}; shift || true
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPATHMAP_SANITIZE=OFF) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DPATHMAP_SANITIZE=ON) ;;
  *) echo "build.sh: unknown build kind '$kind' (release|asan)" >&2; exit 2 ;;
esac
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${gen[@]}" "${flags[@]}" >&2
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
# Build output goes to stderr so callers can capture the build dir from stdout
# and a CI log still shows compiler errors.
cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >&2
echo "$dir"
