#!/usr/bin/env bash
# pathmap geolocate --geodb with a real MaxMind DB file: a City-style .mmdb
# written at test time by tests/geo/make_test_mmdb.pl (MaxMind::DB::Writer,
# testbed addresses only), every hop's decoded city cross-checked with
# mmdblookup (libmaxminddb's own reader); corrupt and truncated .mmdb files
# give one clear line and a non-zero exit. No root, no network.
set -euo pipefail
: "${PATHMAP_BIN:?}" "${PATHMAP_SOURCE_DIR:?}"
work=$(mktemp -d /tmp/pathmap-geo-mmdb.XXXXXX)
trap 'rm -rf "$work"' EXIT
for need in perl mmdblookup; do
  command -v "$need" >/dev/null || { echo "geo_mmdb_test: $need missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
  { echo "geo_mmdb_test: MaxMind::DB::Writer missing (scripts/setup.sh installs libmaxmind-db-writer-perl)" >&2; exit 1; }

db=$work/testbed-city.mmdb
perl "$PATHMAP_SOURCE_DIR/tests/geo/make_test_mmdb.pl" "$db"

# Singapore -> Mumbai -> Dubai -> Istanbul -> Vienna -> Frankfurt -> London,
# RTTs about 1.3x light in fibre; no hostnames, so the cities can only come
# from the .mmdb. The last hop's prefix has a country-only record (no city).
cat > "$work/traces.jsonl" <<'J'
{"dst":"198.19.0.1","flow_id":0,"reached":true,"stop_reason":"reached","hops":[{"ttl":1,"addr":"198.18.1.1","rtt_ms":0.5,"icmp_type":11,"icmp_code":0,"reply_ttl":255,"quoted_ttl":1,"mpls_labels":[]},{"ttl":2,"addr":"198.18.2.1","rtt_ms":51.0,"icmp_type":11,"icmp_code":0,"reply_ttl":254,"quoted_ttl":1,"mpls_labels":[]},{"ttl":3,"addr":"198.18.3.1","rtt_ms":76.0,"icmp_type":11,"icmp_code":0,"reply_ttl":253,"quoted_ttl":1,"mpls_labels":[]},{"ttl":4,"addr":"100.64.4.1","rtt_ms":115.0,"icmp_type":11,"icmp_code":0,"reply_ttl":252,"quoted_ttl":1,"mpls_labels":[]},{"ttl":5,"addr":"100.64.5.1","rtt_ms":131.0,"icmp_type":11,"icmp_code":0,"reply_ttl":251,"quoted_ttl":1,"mpls_labels":[]},{"ttl":6,"addr":"10.6.0.1","rtt_ms":139.0,"icmp_type":11,"icmp_code":0,"reply_ttl":250,"quoted_ttl":1,"mpls_labels":[]},{"ttl":7,"addr":"10.7.0.1","rtt_ms":148.0,"icmp_type":11,"icmp_code":0,"reply_ttl":249,"quoted_ttl":1,"mpls_labels":[]},{"ttl":8,"addr":"198.19.0.1","rtt_ms":149.5,"icmp_type":0,"icmp_code":0,"reply_ttl":56,"quoted_ttl":0,"mpls_labels":[]}]}
J
"$PATHMAP_BIN" geolocate "$work/traces.jsonl" -o "$work/out" --vantage Singapore,SG --geodb "$db"

# mmdblookup's answer per hop ("" when the database has no city for it).
: > "$work/mmdb.txt"
for a in 198.18.1.1 198.18.2.1 198.18.3.1 100.64.4.1 100.64.5.1 10.6.0.1 10.7.0.1 198.19.0.1; do
  # mmdblookup exits 5 when the record has no city; that is an answer too.
  city=$( (mmdblookup --file "$db" --ip "$a" city names en 2>/dev/null || true) | sed -n 's/^ *"\(.*\)" <utf8_string>$/\1/p')
  echo "$a $city" >> "$work/mmdb.txt"
done
python3 - "$work/out/geolocated.jsonl" "$work/mmdb.txt" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
mmdb = {}
for line in open(sys.argv[2]):
    addr, _, city = line.rstrip("\n").partition(" ")
    mmdb[addr] = city
hops = r["hops"]
assert [h["hop"] for h in hops] == list(range(1, 9)), hops
for h in hops[:7]:
    want = mmdb[h["addr"]]
    assert want, f"mmdblookup found no city for {h['addr']}"
    assert h["city"] == want, f"hop {h['hop']} {h['addr']}: decoded {h['city']}, mmdblookup {want}"
    geodb = [c for c in h["candidates"] if "geodb" in c["sources"]]
    assert len(geodb) == 1 and geodb[0]["city"] == want, (h["addr"], h["candidates"])
# Country-only record: no geodb candidate, the hop is carried by its neighbour.
assert mmdb["198.19.0.1"] == "", mmdb
last = hops[7]
assert not any("geodb" in c["sources"] for c in last["candidates"]), last["candidates"]
assert last["city"] == "London", last
assert not r["flagged_segments"], r["flagged_segments"]
print("mmdb ok:", [h["city"] for h in hops])
PY

# Bad .mmdb files: one line on stderr naming the file, non-zero exit, no output.
# (A missing file is rejected by the CLI's argument check, whose line is
# followed by CLI11's "Run with --help" hint, as for every other option.)
printf 'this is not a MaxMind DB\n' > "$work/garbage.mmdb"
head -c 300 "$db" > "$work/truncated.mmdb"
for bad in "$work/garbage.mmdb" "$work/truncated.mmdb" "$work/missing.mmdb"; do
  set +e
  "$PATHMAP_BIN" geolocate "$work/traces.jsonl" -o "$work/out-bad" --geodb "$bad" > "$work/stdout" 2> "$work/stderr"
  rc=$?
  set -e
  lines=$(grep -vc '^Run with --help' "$work/stderr" || true)
  if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || ! grep -q "$(basename "$bad")" "$work/stderr"; then
    echo "bad GeoDB $bad: rc=$rc, stderr ($lines lines):" >&2; cat "$work/stderr" >&2; exit 1
  fi
  [ "$rc" -lt 128 ] || { echo "crashed on $bad (rc $rc)" >&2; exit 1; }
  [ ! -s "$work/out-bad/geolocated.jsonl" ] || { echo "wrote output despite $bad" >&2; exit 1; }
  echo "bad GeoDB ok (rc $rc): $(head -1 "$work/stderr")"
done
echo "geo_mmdb_test: ok"
