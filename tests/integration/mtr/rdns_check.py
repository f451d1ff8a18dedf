#!/usr/bin/python3
"""Checks the hop hosts of `pathmap mtr` runs against the testbed's truth
(its rdns map and per-TTL hops) and against Debian mtr's output for the same
target. Standard library only.

  rdns_check.py TRUTH PREFIX WORKDIR

WORKDIR holds, from tests/integration/mtr_rdns_test.sh:
  named.{txt,json,csv}   pathmap mtr (names, the default), one run, three formats
  plain.{txt,json,csv}   pathmap mtr -n
  both.{txt,json,csv}    pathmap mtr -b -w
  bothcut.txt            pathmap mtr -b (the report cuts hosts at 33 characters)
  resolver.json          pathmap mtr --resolver <the testbed's dnsmasq>
  dead.{txt,json}        pathmap mtr --resolver <an address nothing answers on>
  dead_summary.json      its --summary
  mtr_named.txt mtr_both.txt mtr_bothcut.txt mtr_named.json mtr_both.json
                         Debian mtr -r, -r -b -w, -r -b, --json, --json -b
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


def is_addr(s):
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


def host_text(mode, addr, rdns):
    """mtr's snprint_addr: the name, the address (-n or no name), "name (addr)" (-b)."""
    name = rdns.get(addr)
    if mode == "addr" or not name:
        return addr
    return f"{name} ({addr})" if mode == "both" else name


def expected_by_ttl(target, mode, rdns):
    """TTL -> the host texts truth allows there ("???" for a silent router)."""
    out = {}
    dest_hop = target["destination_hop"]
    for ttl in range(1, dest_hop + 1):
        addrs = target["hops"][ttl - 1] if ttl < dest_hop else [target["_dst"]]
        out[ttl] = {"???" if a is None else host_text(mode, a, rdns) for a in addrs}
    return out


def json_hosts(path):
    """TTL -> host of the first hub at that TTL, and every hub's host."""
    rep = json.load(open(path))["report"]
    first, every = {}, {}
    for h in rep["hubs"]:
        first.setdefault(h["count"], h["host"])
        every.setdefault(h["count"], set()).add(h["host"])
    return rep, first, every


def text_rows(path, wide):
    """TTL -> the host text of the first row at that TTL (`N.|-- HOST`), and the raw 33 columns."""
    hosts, cols = {}, {}
    for line in open(path):
        m = re.match(r"^\s*(\d+)\.\|-- (.*)$", line.rstrip("\n"))
        if not m:
            continue
        ttl = int(m.group(1))
        if wide:
            hm = re.match(r"(\?\?\?|\S+(?: \(\S+\))?)", m.group(2))
            hosts[ttl] = hm.group(1)
        else:
            hosts[ttl] = line[8:33].rstrip()
        cols[ttl] = line[:33]
    return hosts, cols


def cut(text):
    """The 25 characters mtr -r leaves a host after " NN.|-- "."""
    return text[:25]


def compare_mode(name, mode, target, rdns, ours_json, ours_txt, ours_csv, wide, mtr_txt=None, mtr_json=None):
    exp = expected_by_ttl(target, mode, rdns)
    forks = {ttl for ttl, s in exp.items() if len(s) > 1}
    rep, first, every = json_hosts(ours_json)
    check(sorted(first) == sorted(exp), f"{name}: JSON hops {sorted(first)}, truth {sorted(exp)}")
    for ttl, hosts in every.items():
        check(hosts <= exp.get(ttl, set()), f"{name}: TTL {ttl} JSON hosts {hosts} not within truth {exp.get(ttl)}")
    if mode != "addr":
        named = [h for h in first.values() if h != "???" and not is_addr(h)]
        check(len(named) >= 3, f"{name}: only {len(named)} named hops: {first}")
    # CSV of the same run: Host is the target, Ip the same host text as the JSON's.
    rows = list(csv.reader(open(ours_csv)))
    hdr = rows[0]
    for row in rows[1:]:
        r = dict(zip(hdr, row))
        check(r["Host"] == rep["mtr"]["dst"], f"{name}: CSV Host {r['Host']} is not the target")
        check(r["Ip"] in every.get(int(r["Hop"]), set()), f"{name}: CSV hop {r['Hop']} Ip {r['Ip']!r} not a JSON host")
    check(len(rows) - 1 == len(rep["hubs"]), f"{name}: CSV rows {len(rows) - 1} vs JSON hubs {len(rep['hubs'])}")
    # The table of the same run.
    hosts, cols = text_rows(ours_txt, wide)
    check(sorted(hosts) == sorted(exp), f"{name}: table hops {sorted(hosts)}")
    for ttl, h in hosts.items():
        want = first.get(ttl, "")
        check(h == (want if wide else cut(want).rstrip()), f"{name}: TTL {ttl} table host {h!r}, JSON {want!r}")
    # Debian mtr on the same target: the same text where the path has one hop,
    # a real branch at the fork (flows may hash differently).
    if mtr_txt:
        mh, mcols = text_rows(mtr_txt, wide)
        check(sorted(mh) == sorted(hosts), f"{name}: mtr table hops {sorted(mh)}, ours {sorted(hosts)}")
        for ttl in sorted(hosts):
            if ttl in forks:
                allowed = exp[ttl] if wide else {cut(x).rstrip() for x in exp[ttl]}
                check(mh.get(ttl) in allowed, f"{name}: TTL {ttl} mtr {mh.get(ttl)!r} not a branch {allowed}")
            elif wide:
                check(mh.get(ttl) == hosts[ttl], f"{name}: TTL {ttl} mtr {mh.get(ttl)!r}, ours {hosts[ttl]!r}")
            else:
                check(mcols.get(ttl) == cols[ttl], f"{name}: TTL {ttl} mtr {mcols.get(ttl)!r}, ours {cols[ttl]!r}")
    if mtr_json:
        _, mfirst, _ = json_hosts(mtr_json)
        for ttl in sorted(first):
            if ttl in forks:
                check(mfirst.get(ttl) in exp[ttl], f"{name}: TTL {ttl} mtr --json {mfirst.get(ttl)!r} not a branch")
            else:
                check(mfirst.get(ttl) == first[ttl], f"{name}: TTL {ttl} mtr --json {mfirst.get(ttl)!r}, ours {first[ttl]!r}")
    print(f"{name}: " + "  ".join(f"{t}:{first[t]}" for t in sorted(first)))
    return rep


def main(truth_path, prefix, work):
    truth = json.load(open(truth_path))
    target = next((t for t in truth["targets"] if t["prefix"] == prefix), None)
    if target is None:
        sys.exit(f"prefix {prefix} not in truth")
    rdns = truth["rdns"]
    dns_addr = truth["dns"]["addr"]
    named = json.load(open(f"{work}/named.json"))
    target["_dst"] = named["report"]["mtr"]["dst"]
    check(target["_dst"] not in rdns, "the destination has a name in truth: the test expects it bare")

    rep = compare_mode("names", "name", target, rdns, f"{work}/named.json", f"{work}/named.txt", f"{work}/named.csv",
                       False, f"{work}/mtr_named.txt", f"{work}/mtr_named.json")
    s = rep["mtr"].get("rdns", {})
    check(s.get("servers") == dns_addr and s.get("answered", 0) >= 3 and s.get("timed_out") == 0
          and s.get("failed") == 0 and s.get("cut_at_deadline") == 0, f"names: rdns counts {s}")
    rep = compare_mode("-n", "addr", target, rdns, f"{work}/plain.json", f"{work}/plain.txt", f"{work}/plain.csv", False)
    check("rdns" not in rep["mtr"], "-n: JSON carries rdns counts")
    compare_mode("-b -w", "both", target, rdns, f"{work}/both.json", f"{work}/both.txt", f"{work}/both.csv", True,
                 f"{work}/mtr_both.txt", f"{work}/mtr_both.json")
    # -b without -w: the table cuts "name (addr)" at 33 columns, as mtr -r -b.
    hosts, cols = text_rows(f"{work}/bothcut.txt", False)
    mh, mcols = text_rows(f"{work}/mtr_bothcut.txt", False)
    exp = expected_by_ttl(target, "both", rdns)
    for ttl in sorted(hosts):
        check(hosts[ttl] in {cut(x).rstrip() for x in exp[ttl]}, f"-b: TTL {ttl} table host {hosts[ttl]!r}")
        if len(exp[ttl]) == 1:
            check(mcols.get(ttl) == cols[ttl], f"-b: TTL {ttl} mtr -r -b {mcols.get(ttl)!r}, ours {cols[ttl]!r}")

    # --resolver naming the testbed's server explicitly: the same names.
    rep, first, _ = json_hosts(f"{work}/resolver.json")
    _, named_first, _ = json_hosts(f"{work}/named.json")
    check(first == named_first, f"--resolver {dns_addr}: {first} vs default {named_first}")
    check(rep["mtr"]["rdns"]["servers"] == dns_addr, f"--resolver: servers {rep['mtr']['rdns']['servers']}")

    # A resolver that never answers: addresses, every lookup counted as not answered.
    rep, first, every = json_hosts(f"{work}/dead.json")
    exp = expected_by_ttl(target, "addr", rdns)
    for ttl, hs in every.items():
        check(hs <= exp.get(ttl, set()), f"dead resolver: TTL {ttl} hosts {hs} are not truth's addresses")
    d = rep["mtr"]["rdns"]
    check(d["answered"] == 0 and d["no_name"] == 0 and d["queries"] >= 3
          and d["timed_out"] + d["failed"] + d["cut_at_deadline"] == d["queries"], f"dead resolver counts {d}")
    sd = json.load(open(f"{work}/dead_summary.json"))["rdns"]
    check(sd == d, f"dead resolver: --summary rdns {sd} vs JSON {d}")
    hosts, _ = text_rows(f"{work}/dead.txt", False)
    check(all(h == "???" or is_addr(h) for h in hosts.values()), f"dead resolver table: {hosts}")
    print(f"dead resolver: {d}")

    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        sys.exit(1)
    print("all host checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
