#!/usr/bin/python3
"""Coverage of a pathmap sweep against testbed truth; optionally vs scamper.

sweep_coverage.py TRUTH OUTDIR [SCAMPER_JSON PATHMAP_SECONDS SCAMPER_SECONDS [SCAMPER_TARGETS]]
SCAMPER_TARGETS: how many targets scamper was given; when it finished fewer
(cut by a timeout), the speedup is reported as a measured lower bound and as
an extrapolation from its finished share.
With scamper: stop reasons per target compared (pathmap reached / unreachable
/ gap_limit / loop / max_ttl against scamper COMPLETED / UNREACH / GAPLIMIT /
LOOP / HOPLIMIT) over the targets both traced.
COVERAGE_JSON=FILE (environment): append one JSON line per tool with the
numbers printed (for bench/sweep_plot.py), tagged with COVERAGE_TAGS (a JSON
object, e.g. '{"topology": "large", "per_24": 8}'); PATHMAP_LABEL names the
pathmap run (default "pathmap").
"""
import ipaddress
import json
import os
import sys
from collections import Counter

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


records = []


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
    missing_links = sorted(want_links - got_links)
    if missing_links:
        print(f"  missing links: {missing_links[:20]}")
    records.append({"tool": label, "targets": len(traces), "probes": probes,
                    "probes_per_target": probes / max(1, len(traces)),
                    "interfaces": len(got_if & want_if), "interfaces_truth": len(want_if),
                    "links": len(got_links & want_links), "links_truth": len(want_links)})


SC_REASON = {"COMPLETED": "reached", "UNREACH": "unreachable", "GAPLIMIT": "gap_limit", "LOOP": "loop",
             "HOPLIMIT": "max_ttl"}


pm = [json.loads(l) for l in open(sys.argv[2] + "/traces.jsonl")]
summary = json.load(open(sys.argv[2] + "/summary.json"))
print(f"pathmap summary: {summary['targets']} targets, {summary['probes_sent']} probes in {summary['duration_s']:.1f} s "
      f"({summary['pps_avg']:.0f} pps), matched {summary['replies_matched']}, rejected {sum(summary['replies_rejected'].values())}, "
      f"ringbuf_dropped {summary['ringbuf_dropped']}, tx {summary['tx']}")
pm_traces = [(t["dst"], [(h["ttl"], h["addr"]) for h in t["hops"] if h.get("addr")]) for t in pm]
report(os.environ.get("PATHMAP_LABEL", "pathmap"), pm_traces, summary["probes_sent"])
if len(sys.argv) > 3:
    sc_traces, sc_probes, sc_stop = [], 0, {}
    for line in open(sys.argv[3]):
        r = json.loads(line)
        if r.get("type") != "trace":
            continue
        sc_probes += r.get("probe_count", 0)
        sc_traces.append((r["dst"], [(h["probe_ttl"], h["addr"]) for h in r.get("hops", [])]))
        sc_stop[r["dst"]] = SC_REASON.get(r.get("stop_reason"), str(r.get("stop_reason")).lower())
    report("scamper", sc_traces, sc_probes)
    pm_stop = {t["dst"]: t["stop_reason"] for t in pm}
    both = [d for d in sc_stop if d in pm_stop]
    same = sum(pm_stop[d] == sc_stop[d] for d in both)
    pairs = Counter((pm_stop[d], sc_stop[d]) for d in both if pm_stop[d] != sc_stop[d])
    print(f"stop reasons: {same}/{len(both)} targets agree ({100 * same / max(1, len(both)):.1f}%); "
          f"pathmap/scamper where not: {dict(pairs.most_common(6))}")
    pm_s, sc_s = float(sys.argv[4]), float(sys.argv[5])
    records[0]["wall_s"], records[1]["wall_s"] = pm_s, sc_s
    records[0]["stop_agree"] = records[1]["stop_agree"] = same / max(1, len(both))
    given = int(sys.argv[6]) if len(sys.argv) > 6 else len(sc_traces)
    if len(sc_traces) >= given:
        print(f"time: pathmap {pm_s:.1f} s, scamper {sc_s:.1f} s, speedup {sc_s / pm_s:.1f}x")
    else:
        est = sc_s * given / max(1, len(sc_traces))
        print(f"time: pathmap {pm_s:.1f} s for {len(pm)} targets; scamper cut after {sc_s:.1f} s with {len(sc_traces)} of "
              f"{given} traces ({len(sc_traces) / sc_s:.1f}/s): speedup >= {sc_s / pm_s:.1f}x measured, "
              f"~{est / pm_s:.0f}x extrapolated (scamper ~{est:.0f} s for all)")

if os.environ.get("COVERAGE_JSON"):
    tags = json.loads(os.environ.get("COVERAGE_TAGS", "{}"))
    with open(os.environ["COVERAGE_JSON"], "a") as f:
        for r in records:
            f.write(json.dumps({**tags, **r}) + "\n")
