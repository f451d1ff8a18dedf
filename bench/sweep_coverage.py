#!/usr/bin/python3
"""Coverage of a pathmap sweep against testbed truth; optionally vs scamper.

sweep_coverage.py TRUTH OUTDIR [SCAMPER_JSON PATHMAP_SECONDS SCAMPER_SECONDS [SCAMPER_TARGETS]]
SCAMPER_TARGETS: how many targets scamper was given; when it finished fewer
(cut by a timeout), the speedup is reported as a measured lower bound and as
an extrapolation from its finished share.
"""
import ipaddress
import json
import sys

truth = json.load(open(sys.argv[1]))
nets = [(ipaddress.ip_network(t["prefix"]), t) for t in truth["targets"]]


def target_of(dst):
    a = ipaddress.ip_address(dst)
    for n, t in nets:
        if a in n:
            return t
    return None


def expected(dsts):
    ifs, links, seen = set(), set(), set()
    for d in dsts:
        t = target_of(d)
        if t is None or t["prefix"] in seen:
            continue
        seen.add(t["prefix"])
        for p in t["paths"]:
            ifs.update(a for a in p if a)
        links.update((x, y) for x, y in t["links"] if x and y)
    return ifs, links


def discovered(traces):
    ifs, links = set(), set()
    for dst, hops in traces:
        hm = {ttl: a for ttl, a in hops if a and a != dst}
        ifs.update(hm.values())
        links.update((a, hm[t + 1]) for t, a in hm.items() if t + 1 in hm and hm[t + 1] != a)
    return ifs, links


def report(label, traces, probes):
    want_if, want_links = expected([d for d, _ in traces])
    got_if, got_links = discovered(traces)
    fi = len(got_if & want_if) / max(1, len(want_if))
    fl = len(got_links & want_links) / max(1, len(want_links))
    print(f"{label}: interfaces {len(got_if & want_if)}/{len(want_if)} ({100 * fi:.1f}%), links "
          f"{len(got_links & want_links)}/{len(want_links)} ({100 * fl:.1f}%), probes {probes} "
          f"({probes / max(1, len(traces)):.2f} per target)")
    missing = sorted(want_if - got_if)
    if missing:
        print(f"  missing interfaces: {missing[:20]}")


pm = [json.loads(l) for l in open(sys.argv[2] + "/traces.jsonl")]
summary = json.load(open(sys.argv[2] + "/summary.json"))
print(f"pathmap summary: {summary['targets']} targets, {summary['probes_sent']} probes in {summary['duration_s']:.1f} s "
      f"({summary['pps_avg']:.0f} pps), matched {summary['replies_matched']}, rejected {sum(summary['replies_rejected'].values())}, "
      f"ringbuf_dropped {summary['ringbuf_dropped']}, tx {summary['tx']}")
pm_traces = [(t["dst"], [(h["ttl"], h["addr"]) for h in t["hops"] if h.get("addr")]) for t in pm]
report("pathmap", pm_traces, summary["probes_sent"])
if len(sys.argv) > 3:
    sc_traces, sc_probes = [], 0
    for line in open(sys.argv[3]):
        r = json.loads(line)
        if r.get("type") != "trace":
            continue
        sc_probes += r.get("probe_count", 0)
        sc_traces.append((r["dst"], [(h["probe_ttl"], h["addr"]) for h in r.get("hops", [])]))
    report("scamper", sc_traces, sc_probes)
    pm_s, sc_s = float(sys.argv[4]), float(sys.argv[5])
    given = int(sys.argv[6]) if len(sys.argv) > 6 else len(sc_traces)
    if len(sc_traces) >= given:
        print(f"time: pathmap {pm_s:.1f} s, scamper {sc_s:.1f} s, speedup {sc_s / pm_s:.1f}x")
    else:
        est = sc_s * given / max(1, len(sc_traces))
        print(f"time: pathmap {pm_s:.1f} s for {len(pm)} targets; scamper cut after {sc_s:.1f} s with {len(sc_traces)} of "
              f"{given} traces ({len(sc_traces) / sc_s:.1f}/s): speedup >= {sc_s / pm_s:.1f}x measured, "
              f"~{est / pm_s:.0f}x extrapolated (scamper ~{est:.0f} s for all)")
