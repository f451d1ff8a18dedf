#!/usr/bin/python3
"""Checks traceroute and pathmap sweep on the multi-homed testbed against truth.

Every target belongs to one "half": the prober interface truth says its
probes leave by (targets[].prober_iface, eth0 or an uplink).

check_multihomed.py traceroute TRUTH DST OUTPUT [LABEL]   Debian traceroute -n output for DST
check_multihomed.py sweep TRUTH OUTDIR            traces.jsonl and summary.json

Prints one FAIL line per problem; exits 1 if there was any.
"""
import ipaddress
import json
import re
import sys

RECALL = 0.99
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def target_of(truth, dst):
    a = ipaddress.ip_address(dst)
    return next((t for t in truth["targets"] if a in ipaddress.ip_network(t["prefix"])), None)


def uplinks(truth):
    return {u["iface"]: u for u in truth["prober"]["uplinks"]}


def traceroute(truth_path, dst, output_path, label="traceroute"):
    truth = json.load(open(truth_path))
    t = target_of(truth, dst)
    if t is None:
        fail(f"{label} {dst}: no truth target holds it")
        return
    up = uplinks(truth)[t["prober_iface"]]
    # Truth itself: the path starts at the router of the interface the prober routes it out of.
    if any(p[0] != up["gateway_router"] for p in t["router_paths"]):
        fail(f"truth {t['prefix']}: router paths {t['router_paths']} do not start at {up['gateway_router']} ({up['iface']})")
    hops = {}
    for line in open(output_path):
        m = re.match(r"^\s*(\d+)\s+(.*)$", line)
        if not m:
            continue
        hops[int(m.group(1))] = (re.findall(r"\d+\.\d+\.\d+\.\d+", m.group(2)), "*" in m.group(2).split())
    want = t["hops"]
    dest_hop = t["destination_hop"]
    ok = True
    for ttl in range(1, dest_hop + 1):
        addrs, star = hops.get(ttl, ([], True))
        allowed = {dst} if ttl == dest_hop else set(want[ttl - 1])
        wrong = [a for a in addrs if a not in allowed]
        if wrong or star or not addrs:
            fail(f"{label} {dst} ({up['iface']}) TTL {ttl}: got {addrs}{' and *' if star else ''}, truth {sorted(allowed)}")
            ok = False
    if max(hops, default=0) > dest_hop:
        fail(f"{label} {dst}: hops beyond the destination's TTL {dest_hop}: {sorted(h for h in hops if h > dest_hop)}")
        ok = False
    first = hops.get(1, ([], False))[0]
    if first[:1] != [up["gateway"]]:
        fail(f"{label} {dst}: first hop {first}, want {up['gateway']} ({up['gateway_router']} on {up['iface']})")
        ok = False
    if ok:
        print(f"{label} {dst}: {up['iface']} via {up['gateway_router']}: "
              f"{' '.join(hops[k][0][0] for k in sorted(hops))} as truth")


def sweep(truth_path, outdir):
    truth = json.load(open(truth_path))
    ups = uplinks(truth)
    try:
        traces = [json.loads(l) for l in open(outdir + "/traces.jsonl") if l.strip()]
        summary = json.load(open(outdir + "/summary.json"))
    except (OSError, ValueError) as e:
        fail(f"sweep outputs in {outdir}: {e}")
        return
    halves = {iface: {"dsts": set(), "reached": set(), "want": set(), "got": set()} for iface in ups}
    for tr in traces:
        t = target_of(truth, tr["dst"])
        if t is None:
            fail(f"sweep traced {tr['dst']}, which no truth target holds")
            continue
        h = halves[t["prober_iface"]]
        h["dsts"].add(tr["dst"])
        if tr.get("reached"):
            h["reached"].add(tr["dst"])
        for path in t["paths"]:
            h["want"].update(a for a in path if a)
        # Hops without an address were probed and stayed silent.
        h["got"].update(x["addr"] for x in tr["hops"] if x.get("addr") and x["addr"] != tr["dst"])
    for iface, h in halves.items():
        if not h["dsts"]:
            fail(f"{iface}: no traces for targets routed out of {iface}")
            continue
        found = h["got"] & h["want"]
        recall = len(found) / len(h["want"]) if h["want"] else 1.0
        extra = h["got"] - h["want"]
        print(f"{iface} half: {len(h['dsts'])} targets ({len(h['reached'])} reached), "
              f"{len(found)}/{len(h['want'])} truth interfaces, {len(extra)} not on this half's paths")
        if recall < RECALL:
            fail(f"{iface}: interface recall {recall:.3f} < {RECALL}; missing {sorted(h['want'] - h['got'])}")
        if extra:
            fail(f"{iface}: addresses truth does not expect on paths out of {iface}: {sorted(extra)} "
                 f"(truth: {sorted(h['want'])})")
        if len(h["reached"]) < RECALL * len(h["dsts"]):
            fail(f"{iface}: only {len(h['reached'])} of {len(h['dsts'])} targets reached")
    groups = summary.get("route_groups")
    if not isinstance(groups, list):
        fail(f"summary.json: no 'route_groups' list (got {groups!r})")
        return
    want_groups = list(halves)  # one group per prober interface, eth0 first
    if len(groups) != len(want_groups) or not all(isinstance(g, dict) for g in groups):
        fail(f"summary.json route_groups: want {len(want_groups)} objects ({', '.join(want_groups)}), got {groups!r}")
        return
    by_iface = {g.get("iface"): g for g in groups}
    if sorted(by_iface, key=str) != sorted(want_groups):
        fail(f"summary.json route_groups: interfaces {sorted(map(str, by_iface))}, want {sorted(want_groups)}")
        return
    for iface in want_groups:
        g, u, n = by_iface[iface], ups[iface], len(halves[iface]["dsts"])
        for key, want in (("src", u["addr"]), ("gateway", u["gateway"]), ("targets", n)):
            if g.get(key) != want:
                fail(f"summary.json route_groups[{iface}].{key} = {g.get(key)!r}, want {want!r}")
    total = sum(g.get("targets", 0) for g in groups if isinstance(g.get("targets"), int))
    if summary.get("targets") != total:
        fail(f"summary.json: targets {summary.get('targets')!r}, route_groups add up to {total}")
    if not failures:
        print("route_groups: " + ", ".join(f"{g['iface']} src {g['src']} via {g['gateway']}: {g['targets']} targets"
                                           for g in groups))


if __name__ == "__main__":
    cmds = {"traceroute": (traceroute, (3, 4)), "sweep": (sweep, (2,))}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) - 2 not in cmds[sys.argv[1]][1]:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    fn, _ = cmds[sys.argv[1]]
    fn(*sys.argv[2:])
    sys.exit(1 if failures else 0)
