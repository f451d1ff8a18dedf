#!/usr/bin/python3
"""Checks pathmap sweep outputs against the testbed's ground truth and scamper.

check_sweep.py discovery TRUTH OUTDIR
check_sweep.py scamper TRUTH OUTDIR SCAMPER_JSON
check_sweep.py path TRUTH OUTDIR DST TXKIND
check_sweep.py distance TRUTH OUTDIR MIN_REACHED [SKIP_PREFIX...]
"""
import ipaddress
import json
import sys


def load_traces(outdir):
    with open(outdir + "/traces.jsonl") as f:
        return [json.loads(l) for l in f if l.strip()]


def truth_target(truth, dst):
    # Networks parsed once per truth file: an --all-hosts sweep asks 65,536 times.
    nets = truth.get("_nets")
    if nets is None:
        nets = truth["_nets"] = [(ipaddress.ip_network(t["prefix"]), t) for t in truth["targets"]]
    a = ipaddress.ip_address(dst)
    for n, t in nets:
        if a in n:
            return t
    return None


def router_hops(trace):
    # Hops without an address were probed and stayed silent.
    return {h["ttl"]: h["addr"] for h in trace["hops"] if h.get("addr") and h["addr"] != trace["dst"]}


def discovery(truth_path, outdir):
    truth = json.load(open(truth_path))
    traces = load_traces(outdir)
    summary = json.load(open(outdir + "/summary.json"))
    want_if, want_links = set(), set()
    traced = {id(truth_target(truth, tr["dst"])) for tr in traces}
    for t in truth["targets"]:
        if id(t) not in traced:
            continue
        for path in t["paths"]:
            want_if.update(a for a in path if a)
        want_links.update((x, y) for x, y in t["links"] if x and y)
    got_if, got_links = set(), set()
    for tr in traces:
        hops = router_hops(tr)
        got_if.update(hops.values())
        for ttl, a in hops.items():
            b = hops.get(ttl + 1)
            if b and b != a:
                got_links.add((a, b))
    ok = True
    miss_if, miss_links = want_if - got_if, want_links - got_links
    extra_if = got_if - {a for r in truth["routers"] for a in r["addresses"]}
    print(f"discovery: {len(got_if & want_if)}/{len(want_if)} interfaces, {len(got_links & want_links)}/{len(want_links)} links, "
          f"{summary['probes_sent']} probes, summary interfaces={summary['interfaces']} links={summary['links']}")
    if miss_if:
        print("  missing interfaces:", sorted(miss_if)); ok = False
    if miss_links:
        print("  missing links:", sorted(miss_links)); ok = False
    if extra_if:
        print("  addresses that are no router's:", sorted(extra_if)); ok = False
    if summary["complete"] is not True or summary["interfaces"] != len(got_if):
        print("  summary inconsistent:", summary["complete"], summary["interfaces"], len(got_if)); ok = False
    rejected = sum(summary["replies_rejected"].values())
    if rejected > summary["replies_matched"] // 10:
        print("  too many rejected replies:", summary["replies_rejected"]); ok = False
    return ok


def scamper(truth_path, outdir, sc_json):
    truth = json.load(open(truth_path))
    ours = {t["dst"]: t for t in load_traces(outdir)}
    ok = True
    compared = 0
    for line in open(sc_json):
        rec = json.loads(line)
        if rec.get("type") != "trace":
            continue
        dst = rec["dst"]
        sc_hops = {}
        for h in rec.get("hops", []):
            sc_hops.setdefault(h["probe_ttl"], h["addr"])
        mine = ours.get(dst)
        if mine is None:
            print(f"  {dst}: traced by scamper, not by pathmap"); ok = False
            continue
        my_hops = {h["ttl"]: h["addr"] for h in mine["hops"] if h.get("addr")}
        allowed = truth_target(truth, dst)["hops"]
        sc_reached = rec["stop_reason"] == "COMPLETED"
        if sc_reached != mine["reached"]:
            print(f"  {dst}: scamper reached={sc_reached}, pathmap reached={mine['reached']}"); ok = False
        for ttl in sorted(set(sc_hops) & set(my_hops)):
            a, b = sc_hops[ttl], my_hops[ttl]
            compared += 1
            # ECMP: different Paris flows may take different branches; both must be true hops then.
            ecmp_ok = ttl <= len(allowed) and a in (allowed[ttl - 1] or []) and b in (allowed[ttl - 1] or [])
            if a != b and not ecmp_ok:
                print(f"  {dst} TTL {ttl}: scamper {a}, pathmap {b}"); ok = False
        # A lost probe at the true distance (the lossy r2->r7 link) makes a
        # tool meet the destination one TTL later. Scamper's later
        # destination reply is no hop pathmap missed when pathmap met the
        # destination earlier.
        my_dst_at = min((t for t, a in my_hops.items() if a == dst), default=None)
        only_sc = sorted(t for t in set(sc_hops) - set(my_hops)
                         if not (sc_hops[t] == dst and my_dst_at is not None and my_dst_at < t))
        if only_sc:
            print(f"  {dst}: TTLs answered to scamper only: {only_sc}"); ok = False
    print(f"scamper: {compared} hops compared, {'agree' if ok else 'DISAGREE'}")
    return ok and compared > 0


def path(truth_path, outdir, dst, txkind):
    truth = json.load(open(truth_path))
    summary = json.load(open(outdir + "/summary.json"))
    tr = next((t for t in load_traces(outdir) if t["dst"] == dst), None)
    if tr is None or not tr["reached"]:
        print(f"path {outdir}: {dst} not reached"); return False
    allowed = truth_target(truth, dst)["hops"]
    ok = True
    answered = [h for h in tr["hops"] if h.get("addr")]
    for h in answered:
        if h["addr"] == dst:
            continue
        if h["ttl"] > len(allowed) or h["addr"] not in (allowed[h["ttl"] - 1] or []):
            print(f"path {outdir}: TTL {h['ttl']} {h['addr']} is not a true hop"); ok = False
    answering = sum(1 for s in allowed if s != [None])
    if len(answered) - 1 < answering:
        print(f"path {outdir}: {len(answered) - 1} router hops, truth has {answering} answering"); ok = False
    want = {"afxdp": "AF_XDP", "packet": "AF_PACKET", "raw": "raw"}[txkind]
    if want.lower() not in summary["tx"].lower():
        print(f"path {outdir}: asked for {txkind}, sent with {summary['tx']}"); ok = False
    print(f"path {outdir}: {'ok' if ok else 'BAD'} ({summary['tx']})")
    return ok


def distance(truth_path, outdir, min_reached, *skip_prefixes):
    """Every reached trace meets its destination first at the true distance
    (one TTL past the truth's last router hop), and at least MIN_REACHED did.
    Targets in SKIP_PREFIXES (behind a lossy link: a lost probe at the true
    distance is met one TTL later, rightly) are left out."""
    truth = json.load(open(truth_path))
    skip = [ipaddress.ip_network(p) for p in skip_prefixes]
    ok, reached, wrong = True, 0, 0
    for tr in load_traces(outdir):
        if not tr["reached"] or any(ipaddress.ip_address(tr["dst"]) in n for n in skip):
            continue
        reached += 1
        want = len(truth_target(truth, tr["dst"])["hops"]) + 1
        at = [h["ttl"] for h in tr["hops"] if h.get("addr") == tr["dst"]]
        got = min(at) if at else None
        if got != want:
            wrong += 1
            if wrong <= 5:
                print(f"  {tr['dst']}: destination first at TTL {got}, truth {want}")
    if wrong:
        ok = False
    if reached < int(min_reached):
        print(f"  only {reached} traces reached, want >= {min_reached}"); ok = False
    print(f"distance {outdir}: {reached} reached, {wrong} at a wrong TTL: {'ok' if ok else 'BAD'}")
    return ok


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    ok = {"discovery": discovery, "scamper": scamper, "path": path, "distance": distance}[cmd](*args)
    sys.exit(0 if ok else 1)
