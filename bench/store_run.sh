#!/bin/bash
# Hop-store benchmark (docs/BENCHMARKS.md, "Hop store"), side by side in one run:
# 1. store_bench (Release tree, built here): 1 M hop rows into SQLite by the
#    store's batches vs row-at-a-time INSERT, and into a PostgreSQL 15 this
#    script starts (initdb in a temporary directory, Unix socket only, fsync
#    on, as a real server) by COPY vs row-at-a-time INSERT;
# 2. a sweep of the default testbed (198.19.0.0/16, --per-24 4) with the
#    default OUT/pathmap.db vs --no-db, alternating, REPEATS times each:
#    the wall time the store adds. PATHMAP_BIN picks the pathmap binary
#    (default: the Release tree's, built here).
# Usage: bench/store_run.sh [BUILD_DIR]   (default build-store-bench; ROWS=N, REPEATS=R)
# Needs root (the postgres user, the testbed). Everything it starts it stops.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-store-bench}
ROWS=${ROWS:-1000000}
REPEATS=${REPEATS:-5}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
WORK=$(mktemp -d /tmp/pm-store-bench.XXXXXX)
NAME=stb$$
NAME=${NAME:0:10}
TB="$SRC/scripts/testbed"
. "$SRC/tests/integration/store/pg_server.sh"
cleanup() {
    pg_stop
    timeout 60 "$TB" down --name "$NAME" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
targets=(store_bench)
[ -n "${PATHMAP_BIN:-}" ] || targets+=(pathmap)
nice -n 15 cmake --build "$BUILD" -j2 --target "${targets[@]}" >/dev/null || exit 1
BIN=$(readlink -f "${PATHMAP_BIN:-$BUILD/bin/pathmap}")
echo "load: $(uptime)"

# --- 1. Inserts. fsync stays on here (the tests turn it off). ---
PG_SERVER_OPTS= pg_start "$WORK/pg" || exit 1
pg_createdb bench || exit 1
mkdir -p "$WORK/sqlite"
"$BUILD/bin/store_bench" --rows "$ROWS" --dir "$WORK/sqlite" --pg "$(pgurl bench)" || exit 1

# --- 2. A sweep with and without the database. ---
timeout 120 "$TB" up "$SRC/tests/topologies/default.json" --name "$NAME" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; exit 1; }
SWEEP=(sweep 198.19.0.0/16 --per-24 4 --seed 3 --allow 198.18.0.0/15 --rate 20000 -q --no-graph --rdns none)
now() { date +%s.%N; }
: >"$WORK/db.times"; : >"$WORK/nodb.times"; : >"$WORK/store.ms"
for i in $(seq "$REPEATS"); do
    for mode in db nodb; do
        rm -rf "$WORK/out"
        extra=(); [ $mode = nodb ] && extra=(--no-db)
        s=$(now)
        timeout 300 "$TB" exec --name "$NAME" -- "$BIN" -v "${SWEEP[@]}" "${extra[@]}" -o "$WORK/out" 2>"$WORK/err" ||
            { cat "$WORK/err"; echo "sweep failed"; exit 1; }
        echo "$(now) - $s" | bc >>"$WORK/$mode.times"
        if [ $mode = db ]; then
            rows=$(sqlite3 "$WORK/out/pathmap.db" "SELECT count(*) FROM hops")
            # What the sweep itself timed for the store (open, schema, rows, count check).
            sed -n 's/.*hop store: .* in \([0-9.]*\) ms$/\1/p' "$WORK/err" >>"$WORK/store.ms"
        fi
    done
done
/usr/bin/python3 - "$WORK/db.times" "$WORK/nodb.times" "$rows" "$WORK/store.ms" <<'PY'
import statistics, sys
db = [float(x) for x in open(sys.argv[1])]
nodb = [float(x) for x in open(sys.argv[2])]
ms = [float(x) for x in open(sys.argv[4])]
m_db, m_no = statistics.median(db), statistics.median(nodb)
print(f"sweep 198.19.0.0/16 --per-24 4 ({sys.argv[3]} hop rows), {len(db)} runs each, alternating:")
print(f"  --no-db             median {m_no:.3f} s  (runs: {' '.join(f'{x:.2f}' for x in nodb)})")
print(f"  OUT/pathmap.db      median {m_db:.3f} s  (runs: {' '.join(f'{x:.2f}' for x in db)})")
print(f"  the database adds {100 * (m_db - m_no) / m_no:+.1f}% wall time (difference of medians)")
print(f"  the store's own time in the db runs: median {statistics.median(ms):.1f} ms "
      f"(runs: {' '.join(f'{x:.0f}' for x in ms)}), {100 * statistics.median(ms) / 1000 / m_no:.1f}% of a --no-db sweep")
PY
