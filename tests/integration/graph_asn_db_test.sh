#!/bin/bash
# --asn-db wins over libloc, on the real RIPE Atlas results in
# ../shared/realdata/atlas: an ASN .mmdb the test writes
# (tests/graph/make_asn_mmdb.pl, MaxMind's GeoLite2-ASN layout, IPv6 tree)
# for a part of the interfaces' networks, and a pfx2as table covering all of
# IPv4 (told apart from the .mmdb by content). Every public interface's asn
# in topology.graphml must be the file's answer (mmdblookup, libmaxminddb's
# own reader, for the .mmdb), never libloc's, and the summary names the
# source. Unreadable, unknown or malformed files: one line, exit 1, for graph
# and for sweep (which checks before anything is sent). No root, no network.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
PY=/usr/bin/python3
REAL=${PATHMAP_REALDATA:-$SRC/../shared/realdata}
[ -d "$REAL/atlas" ] || { echo "FAIL: no real data at $REAL/atlas"; exit 1; }
for need in perl mmdblookup; do
    command -v "$need" >/dev/null || { echo "FAIL: $need missing (scripts/setup.sh installs it)"; exit 1; }
done
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    { echo "FAIL: MaxMind::DB::Writer missing (scripts/setup.sh installs libmaxmind-db-writer-perl)"; exit 1; }
WORK=$(mktemp -d /tmp/pm-graph-asndb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail=0

# All Atlas files the reader takes, one graph each, libloc first.
inputs=()
for f in "$REAL"/atlas/*.json "$REAL"/atlas/*.jsonl; do
    [ -e "$f" ] || continue
    if "$BIN" graph "$f" --no-png --format atlas -o "$WORK/probe" >/dev/null 2>&1; then inputs+=("$f"); fi
done
echo "${#inputs[@]} Atlas files"
[ "${#inputs[@]}" -ge 10 ] || { echo "FAIL: fewer than 10 Atlas files could be graphed"; exit 1; }
"$BIN" graph "${inputs[@]}" --no-png --format atlas -o "$WORK/libloc" >/dev/null 2>&1 || { echo "FAIL: graph (libloc)"; exit 1; }

# The .mmdb: every other public interface's /24 (from libloc's graph), to
# AS 64500 + (index % 7), named "Test AS n"; the rest stays outside it.
$PY - "$WORK/libloc/topology.graphml" "$WORK/rows.tsv" "$WORK/addrs.txt" <<'PY' || exit 1
import ipaddress, sys, xml.etree.ElementTree as ET
NS = "{http://graphml.graphdrawing.org/xmlns}"
root = ET.parse(sys.argv[1]).getroot()
keys = {k.get("id"): k.get("attr.name") for k in root.iter(NS + "key") if k.get("for") == "node"}
addrs = set()
for n in root.iter(NS + "node"):
    v = {keys[x.get("key")]: x.text for x in n.iter(NS + "data")}
    if v.get("kind") == "interface" and ipaddress.ip_address(v["label"]).is_global:
        addrs.add(v["label"])
addrs = sorted(addrs, key=lambda a: int(ipaddress.ip_address(a)))
nets = sorted({str(ipaddress.ip_network(a + "/24", strict=False)) for a in addrs},
              key=lambda n: int(ipaddress.ip_network(n).network_address))
with open(sys.argv[2], "w") as f:
    for i, n in enumerate(nets):
        if i % 2 == 0:
            f.write(f"{n}\t{64500 + i % 7}\tTest AS {i % 7}\n")
open(sys.argv[3], "w").write("\n".join(addrs) + "\n")
print(f"{len(addrs)} public interfaces in {len(nets)} /24s; {len(nets[::2])} of them in the .mmdb")
PY
perl "$SRC/tests/graph/make_asn_mmdb.pl" --v6 "$WORK/asn.data" < "$WORK/rows.tsv" || { echo "FAIL: writing the .mmdb"; exit 1; }
# mmdblookup's answer per address: "ASN<TAB>name", or nothing.
while read -r a; do
    asn=$( (mmdblookup --file "$WORK/asn.data" --ip "$a" autonomous_system_number 2>/dev/null || true) | sed -n 's/^ *\([0-9]*\) <uint32>$/\1/p')
    name=$( (mmdblookup --file "$WORK/asn.data" --ip "$a" autonomous_system_organization 2>/dev/null || true) | sed -n 's/^ *"\(.*\)" <utf8_string>$/\1/p')
    printf '%s\t%s\t%s\n' "$a" "${asn:-0}" "$name"
done < "$WORK/addrs.txt" > "$WORK/mmdb_ref.tsv"

# A pfx2as table for all of IPv4 by the first address bit.
printf '# the two halves of IPv4\n0.0.0.0\t1\t64511\n128.0.0.0\t1\t64512\n' > "$WORK/halves.pfx2as"

# The file names say nothing (asn.data, halves.pfx2as given as each other's
# kind would be wrong): the content decides.
"$BIN" graph "${inputs[@]}" --no-png --format atlas --asn-db "$WORK/asn.data" -o "$WORK/mmdb" >/dev/null 2>&1 ||
    { echo "FAIL: graph --asn-db .mmdb"; fail=1; }
# --asn-db also wins over a --location-db given with it.
"$BIN" graph "${inputs[@]}" --no-png --format atlas --location-db /usr/share/libloc-location/location.db \
    --asn-db "$WORK/halves.pfx2as" -o "$WORK/pfx" >/dev/null 2>&1 || { echo "FAIL: graph --asn-db pfx2as"; fail=1; }

$PY - "$WORK/libloc/topology.graphml" "$WORK/mmdb/topology.graphml" "$WORK/pfx/topology.graphml" "$WORK/mmdb_ref.tsv" <<'PY' || fail=1
import ipaddress, sys, xml.etree.ElementTree as ET
NS = "{http://graphml.graphdrawing.org/xmlns}"
def interfaces(path):
    root = ET.parse(path).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(NS + "key") if k.get("for") == "node"}
    out = {}
    for n in root.iter(NS + "node"):
        v = {keys[x.get("key")]: x.text for x in n.iter(NS + "data")}
        if v.get("kind") == "interface" and ipaddress.ip_address(v["label"]).is_global:
            out[v["label"]] = (int(v.get("asn") or 0), v.get("as_name") or "", v.get("country") or "")
    return out
libloc, mmdb, pfx = (interfaces(p) for p in sys.argv[1:4])
ref = {}
for line in open(sys.argv[4]):
    a, asn, name = line.rstrip("\n").split("\t")
    ref[a] = (int(asn), name)
assert set(libloc) == set(mmdb) == set(pfx) == set(ref), "the three graphs hold different interfaces"
bad = [(a, mmdb[a][:2], ref[a]) for a in ref if mmdb[a][:2] != ref[a]]
if bad:
    print("FAIL: --asn-db .mmdb: asn/as_name differ from mmdblookup for", len(bad), "interfaces:", bad[:5]); sys.exit(1)
inside = [a for a in ref if ref[a][0]]
outside = [a for a in ref if not ref[a][0]]
# Outside the .mmdb the interface has no AS: libloc is not asked for one
# behind the file's back. Countries, which this ASN-only .mmdb lacks, come
# from libloc everywhere (the documented fallback), equal to the libloc graph's.
leaked = [a for a in outside if mmdb[a][0]]
if leaked:
    print("FAIL: libloc answered for interfaces outside the .mmdb:", leaked[:5]); sys.exit(1)
countries = [(a, mmdb[a][2], libloc[a][2]) for a in ref if mmdb[a][2] != libloc[a][2]]
if countries or not any(libloc[a][2] for a in ref):
    print("FAIL: --asn-db .mmdb: countries differ from libloc's:", countries[:5]); sys.exit(1)
differs = sum(1 for a in inside if libloc[a][0] != mmdb[a][0])
if len(inside) < 20 or len(outside) < 20 or differs < 0.9 * len(inside):
    print(f"FAIL: too weak a test: {len(inside)} inside, {len(outside)} outside, {differs} differ from libloc"); sys.exit(1)
want = lambda a: 64511 if int(ipaddress.ip_address(a)) < 2**31 else 64512
bad = [(a, pfx[a]) for a in pfx if pfx[a] != (want(a), "", libloc[a][2])]
if bad:
    print("FAIL: --asn-db pfx2as: wrong answers", bad[:5]); sys.exit(1)
print(f"--asn-db .mmdb: {len(inside)} interfaces equal to mmdblookup ({differs} differ from libloc), "
      f"{len(outside)} outside it without an AS; pfx2as: all {len(pfx)} by halves, over --location-db")
PY

# Bad files: one line naming the file, exit 1, nothing written.
printf '\x7fELF\0\0\0\0binary' > "$WORK/garbage.bin"
printf '8.8.8.0\t24\t15169\nnot a pfx2as line\n' > "$WORK/bad.pfx2as"
printf 'xxxx\xab\xcd\xefMaxMind.com' > "$WORK/fake.mmdb"
one=${inputs[0]}
for bad in "$WORK/nope.mmdb" "$WORK/garbage.bin" "$WORK/bad.pfx2as" "$WORK/fake.mmdb" "$WORK"; do
    "$BIN" graph "$one" --no-png --format atlas --asn-db "$bad" -o "$WORK/bad_out" >"$WORK/bad.out" 2>&1
    rc=$?
    if [ "$rc" != 1 ] || [ "$(wc -l < "$WORK/bad.out")" != 1 ] || ! grep -qF "$(basename "$bad")" "$WORK/bad.out" || [ -e "$WORK/bad_out/topology.graphml" ]; then
        echo "FAIL: graph --asn-db $bad: exit $rc:"; cat "$WORK/bad.out"; fail=1
    else
        echo "graph --asn-db $(basename "$bad"): exit 1, $(cat "$WORK/bad.out")"
    fi
    rm -rf "$WORK/bad_out"
done
# sweep refuses before anything is sent (the check precedes the root check and the probing).
"$BIN" sweep 198.19.0.0/30 --allow 198.18.0.0/15 --asn-db "$WORK/garbage.bin" -o "$WORK/sw" >"$WORK/sw.out" 2>&1
rc=$?
if [ "$rc" != 1 ] || [ "$(wc -l < "$WORK/sw.out")" != 1 ] || ! grep -q "garbage.bin" "$WORK/sw.out"; then
    echo "FAIL: sweep --asn-db garbage: exit $rc:"; cat "$WORK/sw.out"; fail=1
else
    echo "sweep --asn-db garbage.bin: exit 1, $(cat "$WORK/sw.out")"
fi
"$BIN" graph "$one" --no-png --asn-db "$WORK/asn.data" --no-location -o "$WORK/x" >/dev/null 2>&1 &&
    { echo "FAIL: --asn-db with --no-location accepted"; fail=1; }
[ $fail = 0 ] && echo "graph_asn_db_test: ok" || echo "graph_asn_db_test: FAILED"
exit $fail
