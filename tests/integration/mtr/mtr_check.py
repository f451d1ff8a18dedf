#!/usr/bin/python3
"""Checks `pathmap mtr` output against the testbed's truth and Debian mtr's
own output from the same run. Standard library only (json, csv).

  mtr_check.py path    TRUTH PREFIX OURS.json MTR.txt     hop addresses, loss, delay
  mtr_check.py format  OURS.json OURS.csv MTR.json MTR.csv field-by-field formats
  mtr_check.py ecmp    TRUTH PREFIX OURS.json              both branches, per-flow paths
  mtr_check.py late    OURS.json SUMMARY.json              late replies counted apart
"""
import csv
import ipaddress
import json
import re
import sys

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def finish():
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


def truth_target(truth, prefix):
    t = json.load(open(truth))
    for x in t["targets"]:
        if x["prefix"] == prefix:
            return t, x
    sys.exit(f"prefix {prefix} not in truth")


def rows_by_ttl(report):
    out = {}
    for h in report["report"]["hubs"]:
        out.setdefault(h["count"], []).append(h)
    return out


def mtr_text_hosts(path):
    """Hop -> set of addresses from `mtr -r -n` (extra load-balance lines included)."""
    hops, last = {}, None
    for line in open(path):
        m = re.match(r"^\s*(\d+)\.\|--\s+(\S+)", line)
        if m:
            last = int(m.group(1))
            hops.setdefault(last, set()).add(m.group(2))
            continue
        m = re.match(r"^\s+(\d+\.\d+\.\d+\.\d+)\s*$", line)
        if m and last is not None:
            hops[last].add(m.group(1))
    return hops


def cmd_path(truth, prefix, ours_path, mtr_path):
    t, target = truth_target(truth, prefix)
    ours = json.load(open(ours_path))
    rows = rows_by_ttl(ours)
    mtr_hops = mtr_text_hosts(mtr_path)
    dest_hop = target["destination_hop"]
    dst = ours["report"]["mtr"]["dst"]
    check(sorted(rows) == list(range(1, dest_hop + 1)), f"hops 1..{dest_hop} expected, got {sorted(rows)}")
    check(sorted(mtr_hops) == sorted(rows), f"mtr shows hops {sorted(mtr_hops)}, pathmap {sorted(rows)}")
    for ttl in sorted(rows):
        ours_set = {h["host"] for h in rows[ttl]}
        allowed = set(target["hops"][ttl - 1]) if ttl < dest_hop else {dst}
        check(ours_set <= allowed, f"TTL {ttl}: pathmap {ours_set} not within truth {allowed}")
        mtr_set = mtr_hops.get(ttl, set())
        if len(allowed) == 1:
            check(ours_set == mtr_set, f"TTL {ttl}: pathmap {ours_set} != mtr {mtr_set}")
        else:
            # An ECMP fork: one ICMP flow takes one branch; pathmap and mtr
            # may hash onto different ones, both must be real branches.
            check(mtr_set <= allowed, f"TTL {ttl}: mtr {mtr_set} not within truth {allowed}")
    # Loss: the lossy link's far side and everything after it.
    lossy = t["lossy_links"][0]
    p = lossy["probability"] * 100
    lossy_hop = next(i + 1 for i, s in enumerate(target["hops"]) if s and lossy["b_addr"] in s)
    delay = t["delay_links"][0]
    delay_hop = next(i + 1 for i, s in enumerate(target["hops"]) if s and delay["b_addr"] in s)
    for ttl in sorted(rows):
        snt = sum(h["Snt"] for h in rows[ttl])
        rcv = sum(h["Rcv"] for h in rows[ttl])
        loss = 100.0 * (snt - rcv) / snt if snt else 100.0
        if ttl < lossy_hop:
            check(loss <= 2.0, f"TTL {ttl} before the lossy link: loss {loss:.1f}% (expected ~0)")
        else:
            check(abs(loss - p) <= 8.0, f"TTL {ttl} after the lossy link: loss {loss:.1f}% vs configured {p:.0f}%")
        avg = sum(h["Avg"] * h["Rcv"] for h in rows[ttl]) / rcv if rcv else 0
        if ttl >= delay_hop:
            check(abs(avg - delay["delay_ms"]) <= 0.1 * delay["delay_ms"],
                  f"TTL {ttl} beyond the delay line: Avg {avg:.2f} ms vs {delay['delay_ms']} ms")
        else:
            check(avg < 5, f"TTL {ttl} before the delay line: Avg {avg:.2f} ms")
        print(f"TTL {ttl}: {sorted(h['host'] for h in rows[ttl])} loss {loss:.1f}% avg {avg:.2f} ms "
              f"(mtr {sorted(mtr_hops.get(ttl, []))})")
    finish()


def is_addr_or_unknown(s):
    if s == "???":
        return True
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


def cmd_format(ours_json, ours_csv, mtr_json, mtr_csv):
    ours, theirs = json.load(open(ours_json)), json.load(open(mtr_json))
    om, tm = ours["report"]["mtr"], theirs["report"]["mtr"]
    # Every key mtr writes, in mtr's order and with mtr's JSON type.
    check(list(om)[:len(tm)] == list(tm), f"report.mtr keys {list(om)} do not start with mtr's {list(tm)}")
    for k, v in tm.items():
        check(type(om.get(k)) is type(v), f"report.mtr.{k}: {type(om.get(k)).__name__} vs mtr {type(v).__name__}")
    check(om["dst"] == tm["dst"], "dst differs")
    check(om["tests"] == len({1}) * om["tests"] and isinstance(om["tests"], int), "tests")
    th = theirs["report"]["hubs"][0]
    hubs = ours["report"]["hubs"]
    check(len(hubs) > 0, "no hubs")
    for h in hubs:
        check(list(h)[:len(th)] == list(th), f"hub keys {list(h)} do not start with mtr's {list(th)}")
        for k, v in th.items():
            check(type(h[k]) is type(v), f"hub {h['count']} {k}: {type(h[k]).__name__} vs mtr {type(v).__name__}")
        check(is_addr_or_unknown(h["host"]), f"hub {h['count']}: host {h['host']!r}")
        check(isinstance(h["Rcv"], int) and 0 <= h["Rcv"] <= h["Snt"], f"hub {h['count']}: Rcv {h['Rcv']} Snt {h['Snt']}")
        if h["Snt"]:
            expect_loss = int((h["Snt"] - h["Rcv"]) * 100000 / h["Snt"]) / 1000
            check(abs(h["Loss%"] - expect_loss) < 1e-9, f"hub {h['count']}: Loss% {h['Loss%']} vs {expect_loss}")
        if h["host"] == "???":
            check(h["Rcv"] == 0 and h["Loss%"] == 100.0, f"hub {h['count']}: ??? with replies")
        elif h["Rcv"] > 0:
            check(h["Best"] <= h["Avg"] <= h["Wrst"], f"hub {h['count']}: Best/Avg/Wrst out of order")
            check(h["Best"] <= h["Last"] <= h["Wrst"], f"hub {h['count']}: Last outside Best..Wrst")
            check(h["StDev"] >= 0 and h["Javg"] >= 0, f"hub {h['count']}: negative StDev/Javg")
        for k in ("Last", "Avg", "Best", "Wrst", "StDev", "Javg"):
            check(round(h[k], 3) == h[k], f"hub {h['count']} {k} has more than microsecond precision: {h[k]}")
    ttls = [h["count"] for h in hubs]
    check(ttls == sorted(ttls), "hubs not sorted by TTL")

    # CSV: mtr's header columns first, then ours; each row checked against the JSON.
    theirs_rows = list(csv.reader(open(mtr_csv)))
    ours_rows = list(csv.reader(open(ours_csv)))
    mtr_header = [c for c in theirs_rows[0] if c != ""]
    check(ours_rows[0][:len(mtr_header)] == mtr_header, f"CSV header {ours_rows[0]} vs mtr {theirs_rows[0]}")
    check(len(theirs_rows[1]) == len(mtr_header), "mtr CSV rows have one column per header name")
    hdr = ours_rows[0]
    for row in ours_rows[1:]:
        check(len(row) == len(hdr), f"CSV row has {len(row)} fields, header {len(hdr)}")
        check(row[0] == theirs_rows[1][0], f"Mtr_Version {row[0]} vs mtr {theirs_rows[1][0]}")
        check(row[2] == "OK" and row[3] == om["dst"], "Status/Host")
        check(re.fullmatch(r"\d+", row[1]) is not None, "Start_Time not epoch seconds")
    check(len(ours_rows) - 1 == len(hubs), f"CSV has {len(ours_rows) - 1} rows, JSON {len(hubs)} hubs")
    for row, h in zip(ours_rows[1:], hubs):
        r = dict(zip(hdr, row))
        check(int(r["Hop"]) == h["count"] and r["Ip"] == h["host"], f"CSV row {row[:6]} vs hub {h['count']} {h['host']}")
        check(int(r["Snt"]) == h["Snt"] and int(r[" "]) == h["Snt"] - h["Rcv"], f"CSV Snt/drop of hop {h['count']}")
        check(int(r["Rcv"]) == h["Rcv"], f"CSV Rcv of hop {h['count']}")
        for k in ("Loss%", "Last", "Avg", "Best", "Wrst", "StDev", "Javg"):
            check(re.fullmatch(r"\d+\.\d\d", r[k]) is not None, f"CSV {k} not %.2f: {r[k]}")
            check(abs(float(r[k]) - h[k]) <= 0.0051, f"CSV {k} {r[k]} vs JSON {h[k]} at hop {h['count']}")
    finish()


def cmd_ecmp(truth, prefix, ours_path):
    _, target = truth_target(truth, prefix)
    ours = json.load(open(ours_path))
    rows = rows_by_ttl(ours)
    forks = [i + 1 for i, s in enumerate(target["hops"]) if s and len(s) > 1]
    check(len(forks) == 1, f"expected one ECMP hop in truth, got {forks}")
    fork = forks[0]
    want = set(target["hops"][fork - 1])
    got = {h["host"] for h in rows.get(fork, [])}
    check(got == want, f"ECMP hop {fork}: pathmap rows {got}, truth {want}")
    for h in rows.get(fork, []):
        check(h["Snt"] > 0 and h["Rcv"] > 0, f"ECMP row {h['host']} has no statistics of its own")
        check(len(h["flows"]) >= 1, f"ECMP row {h['host']} names no flow")
    check(sum(1 for h in rows.get(fork, []) if h["first_at_ttl"]) == 1, "exactly one first row at the fork")
    flows = ours["report"].get("flows", [])
    check(len(flows) == 16, f"--flows 16 gives {len(flows)} flow paths")
    branches = set()
    for f in flows:
        hop = next((h for h in f["hubs"] if h["count"] == fork), None)
        check(hop is not None and hop["host"] in want, f"flow {f['flow']}: hop {fork} is {hop and hop['host']}")
        if hop:
            branches.add(hop["host"])
        # Paris: a flow stays on one branch, so its hop-5 row accounts for all its probes.
        check(hop is not None and hop["Snt"] == f["hubs"][0]["Snt"], f"flow {f['flow']}: Snt differs along the path")
    check(branches == want, f"flows cover branches {branches}, truth {want}")
    finish()


def cmd_late(ours_path, summary_path):
    ours = json.load(open(ours_path))
    s = json.load(open(summary_path))
    check(s["probes_sent"] == s["received"] + s["lost"] + s["late"],
          f"sent {s['probes_sent']} != received {s['received']} + lost {s['lost']} + late {s['late']}")
    check(s["late"] > 0, "no late replies although the timeout is below the delay line's RTT")
    rows = rows_by_ttl(ours)
    for ttl, hs in sorted(rows.items()):
        for h in hs:
            if h["host"] == "???":
                continue
            # Nothing slower than the timeout may be an RTT: late replies are counted, not timed.
            check(h["Wrst"] <= ours["report"]["mtr"]["timeout_ms"],
                  f"TTL {ttl} {h['host']}: Wrst {h['Wrst']} ms above the timeout")
    late_rows = [h for hs in rows.values() for h in hs if h.get("Late", 0) > 0]
    check(late_rows, "no row shows late replies")
    for h in late_rows:
        check(h["Rcv"] == 0 and h["Loss%"] == 100.0, f"{h['host']}: late replies must leave it at 100% loss")
    finish()


if __name__ == "__main__":
    cmds = {"path": cmd_path, "format": cmd_format, "ecmp": cmd_ecmp, "late": cmd_late}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
