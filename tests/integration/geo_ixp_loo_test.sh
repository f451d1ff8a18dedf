#!/bin/bash
# Accuracy on real hops (issue 17): an address on an IXP's peering LAN sits
# in that IXP's city, so the IXP hops of the real corpus in ../shared/realdata
# are ground truth. Leave one out: for each IXP with hops in the corpus,
# geolocate every file that has them with an --ixp table (PeeringDB's
# peering LANs, tests/data/geo/ixp_peeringdb.csv) that lacks that IXP, and
# measure the held-out hops' error. The baseline is the raw location-database
# answer alone: libloc's country for the address, at that country's largest
# city (libloc has no cities). With the whole table every IXP hop must sit in
# its IXP's city. No root, no network.
set -u
SRC=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${PATHMAP_BIN:?PATHMAP_BIN must name the pathmap binary}
REAL=${PATHMAP_REALDATA:-$SRC/../shared/realdata}
[ -d "$REAL/atlas" ] || { echo "FAIL: no real data at $REAL"; exit 1; }
command -v location >/dev/null || { echo "FAIL: libloc's location tool missing (scripts/setup.sh installs it)"; exit 1; }
WORK=$(mktemp -d /tmp/pm-geo-ixp.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
exec /usr/bin/python3 - "$BIN" "$REAL" "$SRC/tests/data/geo/ixp_peeringdb.csv" "$WORK" <<'PY'
import ipaddress, json, math, os, re, statistics, subprocess, sys
bin_, real, table, work = sys.argv[1:5]

rows = [l.strip() for l in open(table) if l.strip() and not l.startswith("#")]
ixps = [(ipaddress.ip_network(r.split(",")[0]), r.split(",")[1], r) for r in rows]
def ixp_of(addr):
    try:
        a = ipaddress.ip_address(addr)
    except ValueError:
        return None
    return next((name for net, name, _ in ixps if a.version == 4 and a in net), None)

# GeoNames cities15000 (the gazetteer pathmap reads): IXP cities and each
# country's largest city, for the truth and for the baseline.
gaz = next(p for p in ("/usr/share/libtimezonemap/ui/cities15000.txt",) if os.path.exists(p))
city_at, largest = {}, {}
for line in open(gaz, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    lat, lon, cc, pop = float(f[4]), float(f[5]), f[8], int(f[14] or 0)
    for name in {f[1], f[2]}: # the name and its ASCII form
        if (name, cc) not in city_at or pop > city_at[(name, cc)][2]:
            city_at[(name, cc)] = (lat, lon, pop)
    if cc not in largest or pop > largest[cc][2]:
        largest[cc] = (lat, lon, pop)
truth = {}
for net, name, r in ixps:
    f = r.split(",")
    truth[name] = city_at[(f[2], f[3])][:2]
def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))

# Files of the corpus that hold IXP addresses (an independent text scan).
files = {}
for d in ("atlas", "scamper", "mtr", "traceroute"):
    for fn in sorted(os.listdir(os.path.join(real, d))):
        p = os.path.join(real, d, fn)
        if fn.endswith(".md") or not os.path.isfile(p):
            continue
        text = open(p, errors="replace").read()
        found = {ixp_of(a) for a in re.findall(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", text)} - {None}
        if found:
            files[p] = found
held_ixps = sorted({i for s in files.values() for i in s})
print(f"{len(files)} corpus files hold hops on {len(held_ixps)} IXP LANs: {', '.join(held_ixps)}")

def geolocate(path, ixp_rows, tag):
    t = os.path.join(work, tag + ".csv")
    open(t, "w").write("\n".join(ixp_rows) + "\n")
    out = os.path.join(work, tag)
    r = subprocess.run([bin_, "geolocate", path, "--ixp", t, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL: geolocate {path}: {r.stderr.strip()}")
        sys.exit(1)
    return [h for l in open(out + "/geolocated.jsonl") if l.strip() for h in json.loads(l)["hops"]]

ok = True
loo, full, addrs = [], [], []
for k, (path, found) in enumerate(sorted(files.items())):
    whole = geolocate(path, rows, f"full{k}")
    for h in whole:
        name = ixp_of(h["addr"] or "")
        if name:
            e = km((h["lat"], h["lon"]), truth[name]) if h.get("lat") is not None else None
            full.append(e)
            if e is None or e > 40:
                print(f"FAIL: {os.path.basename(path)} hop {h['hop']} {h['addr']} ({name}) with the whole table at {h.get('city')}")
                ok = False
    for name in sorted(found):
        hops = geolocate(path, [r for net, n, r in ixps if n != name], f"loo{k}-{len(loo)}")
        for h in hops:
            if ixp_of(h["addr"] or "") != name:
                continue
            e = km((h["lat"], h["lon"]), truth[name]) if h.get("lat") is not None else None
            loo.append((name, h["addr"], e, h.get("city"), h.get("sources"), os.path.basename(path)))
            addrs.append(h["addr"])

# Baseline: libloc's country for each held-out address, at its largest city.
names = {}
for line in subprocess.run(["location", "list-countries", "--show-name"], capture_output=True, text=True).stdout.splitlines():
    cc, _, nm = line.partition(" ")
    names[nm.strip()] = cc
ref, cur = {}, None
for line in subprocess.run(["location", "lookup", *sorted(set(addrs))], capture_output=True, text=True).stdout.splitlines():
    if not line.startswith(" ") and line.endswith(":"):
        cur = line[:-1]
    elif cur and line.strip().startswith("Country"):
        ref[cur] = names.get(line.split(":", 1)[1].strip())
base = []
for name, addr, e, city, src, fn in loo:
    cc = ref.get(addr)
    b = km(largest[cc][:2], truth[name]) if cc in largest else None
    base.append(b)
    print(f"  held out {name:<26} {addr:<16} decoded {str(city):<18} {('%.0f km' % e) if e is not None else 'unplaced':>9}"
          f"  {','.join(src or [])}  | libloc {cc}: {('%.0f km' % b) if b is not None else 'none':>8}  ({fn})")

def summary(errs):
    placed = [x for x in errs if x is not None]
    within = sum(1 for x in placed if x <= 200)
    med = statistics.median([x if x is not None else 20000.0 for x in errs]) if errs else float("nan")
    return within, med
w, med = summary([x[2] for x in loo])
bw, bmed = summary(base)
n = len(loo)
print(f"leave-one-out: {n} held-out IXP hops on {len(held_ixps)} IXPs: {w}/{n} ({100*w/max(n,1):.0f}%) within 200 km, "
      f"median error {med:.0f} km; raw libloc country alone: {bw}/{n} ({100*bw/max(n,1):.0f}%), median {bmed:.0f} km; "
      f"with the whole table {sum(1 for e in full if e is not None and e <= 40)}/{len(full)} at their IXP's city "
      f"({len(set(addrs))} distinct addresses; a hop is counted once per trace it is in)")
if n < 8 or len(held_ixps) < 6:
    print("FAIL: the corpus should hold at least 8 hops on 6 IXP LANs"); ok = False
if w < bw:
    print("FAIL: the decode places fewer held-out hops within 200 km than the raw location database"); ok = False
if any(x[2] is None for x in loo):
    print("FAIL: a held-out IXP hop was left unplaced"); ok = False
print("geo_ixp_loo_test:", "ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
