#!/usr/bin/env bash
# Binary .warts written by scamper on the default testbed (inside its prober
# namespace; testbed targets only): several UDP-paris traces in one file, ICMP
# paris traces, and an MDA tracelb across the r2 -> r3a|r3b -> r4 diamond.
# For each file, `pathmap import` of the .warts and of sc_warts2json's output
# of it must store the same rows (every trace and hop field, in order), the
# warts must hold what scamper traced, `pathmap graph` must read it, and a
# cut copy must be refused in one line with exit 2.
# Root needed; exit 77 if namespaces cannot be made.
set -euo pipefail
src=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
tb="$src/scripts/testbed"
if [ "$(id -u)" -ne 0 ]; then echo "warts_testbed_test: needs root"; exit 77; fi
probe_ns="pmwprobe$$"
if ! ip netns add "$probe_ns" 2>/dev/null; then echo "warts_testbed_test: cannot create namespaces; skipping"; exit 77; fi
ip netns del "$probe_ns"
for tool in scamper sc_warts2json sqlite3; do
  command -v $tool >/dev/null || { echo "warts_testbed_test: $tool missing (scripts/setup.sh)"; exit 1; }
done
name="wt$$"
name=${name:0:10}
tmp=$(mktemp -d)
cleanup() { "$tb" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$tb" up "$src/tests/topologies/default.json" --name "$name" >/dev/null
truth=$("$tb" truth --name "$name")
mapfile -t targets < <(/usr/bin/python3 - "$truth" <<'PY'
import json, sys, ipaddress
t = json.load(open(sys.argv[1]))
for s in t["sinks"][:4]:
    print(ipaddress.ip_network(s["prefixes"][0]).network_address + 1)
PY
)
[ "${#targets[@]}" -ge 2 ] || { echo "warts_testbed_test: FAIL: fewer than 2 testbed targets"; exit 1; }
echo "tracing ${#targets[@]} testbed targets: ${targets[*]}"
sleep 1
timeout 120 "$tb" exec --name "$name" -- scamper -O warts -o "$tmp/udp.warts" -c "trace -P udp-paris -q 1 -w 1" -i "${targets[@]}"
timeout 120 "$tb" exec --name "$name" -- scamper -O warts -o "$tmp/icmp.warts" -c "trace -P icmp-paris -q 2 -w 1" -i "${targets[@]}"
timeout 300 "$tb" exec --name "$name" -- scamper -O warts -o "$tmp/lb.warts" -c "tracelb -P udp-dport -q 1 -W 15" -i "${targets[0]}"

# The rows of a store: every trace field and its hops, in the order read.
rows() {
  sqlite3 -separator '|' "$1" "SELECT t.probe_dst_addr, t.flow_id, t.reached, t.stop_reason, t.first_ttl,
      h.probe_ttl, h.reply_src_addr, h.rtt_us, h.reply_icmp_type, h.reply_icmp_code, h.reply_ttl, h.quoted_ttl,
      h.reply_mpls_labels, h.rdns
    FROM traces t JOIN hops h ON h.trace_id = t.id ORDER BY t.id, h.rowid"
}

fail=0
for f in udp icmp lb; do
  w="$tmp/$f.warts"
  sc_warts2json "$w" > "$tmp/$f.json"
  want=$(grep -c '"type":"trace' "$tmp/$f.json" || true)
  [ "$want" -ge 1 ] || { echo "warts_testbed_test: FAIL: scamper wrote no $f record"; fail=1; continue; }
  "$bin" import "$w" --db "sqlite:$tmp/$f-warts.db" --quiet
  "$bin" import "$tmp/$f.json" --format scamper --db "sqlite:$tmp/$f-json.db" --quiet
  rows "$tmp/$f-warts.db" > "$tmp/$f-warts.rows"
  rows "$tmp/$f-json.db" > "$tmp/$f-json.rows"
  n=$(wc -l < "$tmp/$f-warts.rows")
  traces=$(sqlite3 "$tmp/$f-warts.db" "SELECT count(*) FROM traces")
  answered=$(sqlite3 "$tmp/$f-warts.db" "SELECT count(*) FROM hops WHERE reply_src_addr IS NOT NULL")
  if ! diff -u "$tmp/$f-json.rows" "$tmp/$f-warts.rows" > "$tmp/$f.diff"; then
    echo "warts_testbed_test: FAIL: $f.warts and its sc_warts2json output store different rows:"
    head -20 "$tmp/$f.diff"
    fail=1
  elif [ "$answered" -lt 3 ]; then
    echo "warts_testbed_test: FAIL: $f.warts: only $answered answered hops"
    fail=1
  elif [ "$f" != lb ] && [ "$traces" -lt "${#targets[@]}" ]; then
    echo "warts_testbed_test: FAIL: $f.warts: $traces traces for ${#targets[@]} targets"
    fail=1
  else
    echo "$f.warts: $want scamper records, $traces traces, $n hop rows ($answered answered), equal to sc_warts2json's"
  fi
done

# The tracelb crossed the diamond: at least two branches (one trace each).
lb_addrs=$(sqlite3 "$tmp/lb-warts.db" "SELECT count(DISTINCT reply_src_addr) FROM hops WHERE reply_src_addr IS NOT NULL")
lb_traces=$(sqlite3 "$tmp/lb-warts.db" "SELECT count(*) FROM traces")
echo "lb.warts: $lb_traces branches over $lb_addrs addresses"
if [ "$lb_traces" -lt 2 ]; then echo "warts_testbed_test: FAIL: the tracelb found no second branch"; fail=1; fi

"$bin" graph "$tmp/udp.warts" "$tmp/icmp.warts" "$tmp/lb.warts" -o "$tmp/out" > /dev/null
[ -s "$tmp/out/topology.graphml" ] || { echo "warts_testbed_test: FAIL: no graph from the warts files"; fail=1; }

# CAIDA Ark ships .warts.gz: gzip's own output, read without a conversion step, is the same graph.
for w in udp icmp lb; do gzip -c "$tmp/$w.warts" > "$tmp/$w.warts.gz"; done
"$bin" graph "$tmp/udp.warts.gz" "$tmp/icmp.warts.gz" "$tmp/lb.warts.gz" -o "$tmp/out-gz" > /dev/null
if ! cmp -s "$tmp/out/topology.graphml" "$tmp/out-gz/topology.graphml"; then
  echo "warts_testbed_test: FAIL: the gzipped warts files gave another graph"; fail=1
fi
gzip -c "$tmp/udp.warts" | head -c 60 > "$tmp/cut.warts.gz"
rc=0
"$bin" graph "$tmp/cut.warts.gz" -o "$tmp/cutgz" > /dev/null 2> "$tmp/cutgz.err" || rc=$?
if [ "$rc" -ne 2 ] || [ "$(wc -l < "$tmp/cutgz.err")" -ne 1 ] || ! grep -q "cut.warts.gz: gzip data is truncated" "$tmp/cutgz.err"; then
  echo "warts_testbed_test: FAIL: a cut .warts.gz gave exit $rc and:"; cat "$tmp/cutgz.err"; fail=1
fi

size=$(stat -c %s "$tmp/udp.warts")
head -c $((size - 5)) "$tmp/udp.warts" > "$tmp/cut.warts"
rc=0
"$bin" graph "$tmp/cut.warts" -o "$tmp/cut" > "$tmp/cut.out" 2> "$tmp/cut.err" || rc=$?
if [ "$rc" -ne 2 ] || [ "$(wc -l < "$tmp/cut.err")" -ne 1 ] || ! grep -q "cut.warts: warts record" "$tmp/cut.err"; then
  echo "warts_testbed_test: FAIL: a cut warts file gave exit $rc and:"; cat "$tmp/cut.err"; fail=1
fi

[ "$fail" -eq 0 ] || exit 1
echo "warts_testbed_test: ok"
