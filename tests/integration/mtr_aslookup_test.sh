#!/usr/bin/env bash
# pathmap mtr -z (--aslookup) end to end on tests/topologies/mtr.json. The
# testbed's addresses have no AS in any public database, so the test writes
# an ASN .mmdb (tests/graph/make_asn_mmdb.pl): 198.18.0.0/16 is AS64500,
# 198.18.41.0/28 (r1-r4's links) AS64501, 198.19.0.0/16 (the target) nothing.
# Every row's AS in the report, the JSON "ASN" and the CSV "Asn" must be
# mmdblookup's answer for that row's address (AS??? for none and for ???);
# the layout (row prefix, statistics column, JSON key order, CSV header) must
# be Debian mtr -z's on the same target, which shows AS??? everywhere here
# (its Team Cymru queries go to the testbed's dnsmasq, which answers no
# TXT; pathmap never asks the network). Every packet stays in the run's own
# namespaces.
set -euo pipefail
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:-$SRC/build/bin/pathmap}
PY=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v mtr >/dev/null || { echo "mtr (mtr-tiny) missing: run scripts/setup.sh"; exit 1; }
for need in perl mmdblookup; do
  command -v "$need" >/dev/null || { echo "$need missing (scripts/setup.sh installs it)"; exit 1; }
done

NAME=mtrz$$
NAME=${NAME:0:10}
OUT=$(mktemp -d /tmp/pathmap-mtr-as.XXXXXX)
cleanup() { "$SRC/scripts/testbed" down --name "$NAME" >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT INT TERM
printf '198.18.0.0/16\t64500\tPathmap Testbed\n198.18.41.0/28\t64501\tTestbed Core\n' |
  perl "$SRC/tests/graph/make_asn_mmdb.pl" --v6 "$OUT/testbed-asn.mmdb"
"$SRC/scripts/testbed" up "$SRC/tests/topologies/mtr.json" --name "$NAME" >/dev/null
X() { timeout 120 "$SRC/scripts/testbed" exec --name "$NAME" -- "$@"; }
T=198.19.1.7
PM=("$BIN" mtr -n -z --allow 198.18.0.0/15 --interval 50 --timeout 500)

echo "== pathmap mtr -z --asn-db: report, JSON and CSV from one run"
X "${PM[@]}" "$T" -c 5 --asn-db "$OUT/testbed-asn.mmdb" --report -o "$OUT/pm.txt" \
  --json-file "$OUT/pm.json" --csv-file "$OUT/pm.csv"
cat "$OUT/pm.txt"
echo "== pathmap mtr -z (libloc: no AS for the testbed) and Debian mtr -z on the same target"
X "${PM[@]}" "$T" -c 3 --report -o "$OUT/pm_libloc.txt" --json-file "$OUT/pm_libloc.json"
X mtr -n -z -r -c 3 -i 0.2 "$T" > "$OUT/mtr.txt"
X mtr -n -z --json -c 2 -i 0.2 "$T" > "$OUT/mtr.json"
X mtr -n -z --csv -c 2 -i 0.2 "$T" > "$OUT/mtr.csv"
cat "$OUT/pm_libloc.txt" "$OUT/mtr.txt"

# mmdblookup's answer for each address pathmap showed.
for a in $(grep -o '198\.1[89]\.[0-9]*\.[0-9]*' "$OUT/pm.txt" | sort -u); do
  asn=$( (mmdblookup --file "$OUT/testbed-asn.mmdb" --ip "$a" autonomous_system_number 2>/dev/null || true) |
    sed -n 's/^ *\([0-9]*\) <uint32>$/\1/p')
  echo "$a ${asn:-none}"
done > "$OUT/ref.txt"
cat "$OUT/ref.txt"

$PY - "$OUT" <<'PY'
import csv, json, re, sys
d = sys.argv[1]
ref = {}
for line in open(f"{d}/ref.txt"):
    a, asn = line.split()
    ref[a] = "AS???" if asn == "none" else "AS" + asn
def want(host):
    return "AS???" if host == "???" else ref[host]

ROW = re.compile(r"^ {1,2}(\d+)\. (AS\S+) +(\S+)")
def rows(path):
    out = []
    for line in open(path):
        m = ROW.match(line)
        if m:
            out.append((int(m.group(1)), m.group(2), m.group(3), line.rstrip("\n")))
    return out

# 1. The AS of every row is the database's answer for its address.
pm = rows(f"{d}/pm.txt")
assert len(pm) >= 6, pm
seen = set()
for ttl, asn, host, line in pm:
    assert asn == want(host), (line, want(host))
    seen.add(asn)
assert {"AS64500", "AS64501", "AS???"} <= seen, seen  # all three cases met
js = json.load(open(f"{d}/pm.json"))["report"]["hubs"]
for h in js:
    assert h["ASN"] == want(h["host"]), h
with open(f"{d}/pm.csv") as f:
    r = list(csv.reader(f))
head = r[0]
assert head[:8] == ["Mtr_Version", "Start_Time", "Status", "Host", "Hop", "Ip", "Asn", "Loss%"], head
for row in r[1:]:
    assert row[6] == want(row[5]), row
print(f"AS column: {len(pm)} report rows, {len(js)} JSON hubs, {len(r) - 1} CSV rows equal to mmdblookup ({sorted(seen)})")

# 2. The layout is Debian mtr -z's: " %2d. AS%-7s", host, statistics at column 33.
mt = rows(f"{d}/mtr.txt")
lib = rows(f"{d}/pm_libloc.txt")
assert mt and lib, (mt, lib)
assert all(a == "AS???" for _, a, _, _ in mt + lib), (mt, lib)
for rs, who in ((mt, "mtr"), (lib, "pathmap")):
    for ttl, asn, host, line in rs:
        assert line[:14] == f" {ttl:2d}. AS???    ", (who, line)
        assert re.match(r"^ *(\d+\.\d%|100\.0) ", line[33:]), (who, line)  # Loss% starts at column 33
assert len(mt) == len(lib), ("hop count", mt, lib)
# JSON: mtr's hub keys in mtr's order, "ASN" right after "host".
mkeys = list(json.load(open(f"{d}/mtr.json"))["report"]["hubs"][0].keys())
pkeys = list(json.load(open(f"{d}/pm_libloc.json"))["report"]["hubs"][0].keys())
assert mkeys[:3] == ["count", "host", "ASN"], mkeys
assert pkeys[:len(mkeys)] == mkeys, (pkeys, mkeys)
# CSV: mtr's header columns first.
mhead = next(csv.reader(open(f"{d}/mtr.csv")))
mhead = [c for c in mhead if c != ""]
assert head[:len(mhead)] == mhead, (head, mhead)
print(f"layout: {len(mt)} rows as mtr -z -r; JSON keys {mkeys}; CSV header {mhead}")
PY

echo "== --asn-db as a pfx2as table (told by content), and bad files"
printf '198.18.0.0\t15\t64999\n' > "$OUT/testbed.pfx2as"
X "${PM[@]}" "$T" -c 2 --asn-db "$OUT/testbed.pfx2as" --report -o "$OUT/pfx.txt"
grep -q '^  1\. AS64999  198\.18\.' "$OUT/pfx.txt" || { echo "FAIL: pfx2as --asn-db not shown"; cat "$OUT/pfx.txt"; exit 1; }
printf '\x7fELF\0\0binary' > "$OUT/garbage.bin"
for f in "$OUT/missing.mmdb" "$OUT/garbage.bin"; do
  set +e
  msg=$(X "$BIN" mtr -n --allow 198.18.0.0/15 "$T" -c 1 --asn-db "$f" 2>&1 >/dev/null); rc=$?
  set -e
  echo "pathmap mtr --asn-db $(basename "$f") -> rc $rc: $msg"
  [ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$msg" | grep -c .)" -eq 1 ] || { echo "FAIL: bad --asn-db should be one line, exit 1"; exit 1; }
done
echo "PASS"
