#!/usr/bin/python3
"""Compares pathmap graph output on the testbed with truth.json.
Usage: check_testbed_truth.py TRUTH OUTDIR REPORT_JSON"""
import ipaddress
import json
import sys

import networkx as nx

truth = json.load(open(sys.argv[1]))
outdir = sys.argv[2]
report = json.load(open(sys.argv[3]))
g = nx.read_graphml(outdir + "/topology.graphml")
errors = []

# Addresses the traces saw.
seen = {d["label"] for _, d in g.nodes(data=True) if d["kind"] == "interface"}
clusters = {}
for n, d in g.nodes(data=True):
    if d["kind"] == "cluster":
        members = [u for u, _ in g.in_edges(n)]
        clusters[d["label"]] = (d.get("cluster_kind"), members)


def cluster_addrs(kind):
    out = []
    for label, (k, members) in clusters.items():
        if k == kind:
            out.append({g.nodes[m]["label"] for m in members if g.nodes[m]["kind"] == "interface"})
    return out


for kind, key in (("cgnat", "cgnat_addresses"), ("private_backbone", "private_addresses")):
    want = {a for a in truth[key] if a in seen}
    got = cluster_addrs(kind)
    if not want:
        errors.append("traces saw none of the truth's %s" % key)
    elif len(got) != 1 or got[0] != want:
        errors.append("%s clusters %s, truth %s" % (kind, got, sorted(want)))
# The silent private router is an anonymous member of the private cluster.
anon_private = any(g.nodes[m]["kind"] == "anonymous" for _, (k, ms) in clusters.items() if k == "private_backbone" for m in ms)
if not anon_private:
    errors.append("silent private router not inside the private cluster")
# Diamonds open at the ECMP routers' reply addresses.
ecmp_addrs = {r["reply_addr"] for r in truth["routers"] if r["name"] in truth["ecmp_routers"]}
diamond_members = set()
for label, (k, members) in clusters.items():
    if k == "ecmp_diamond":
        diamond_members |= {g.nodes[m]["label"] for m in members}
for a in ecmp_addrs:
    if a not in diamond_members:
        errors.append("no ECMP diamond at %s" % a)

# Chokepoints: remove-and-search over the truth's forwarding paths for the
# prefixes the traces reached, as reply addresses (silent routers keyed by
# their neighbours, like pathmap does).
reached = {d["label"] for _, d in g.nodes(data=True) if d["kind"] == "prefix"}
adj = {}
prefixes = set()
for t in truth["targets"]:
    if t["kind"] != "sink":
        continue
    net = ipaddress.ip_network(t["prefix"])
    p24 = str(ipaddress.ip_network("%s/24" % net.network_address, strict=False))
    if p24 not in reached:
        continue
    prefixes.add(p24)
    for path in t["paths"]:
        prev, prev_resp, gap = "vantage", "vantage", 0
        resolved = []
        for a in path:
            resolved.append(a)
        nxt = {}
        following = None
        for i in range(len(resolved) - 1, -1, -1):
            nxt[i] = following
            if resolved[i] is not None:
                following = resolved[i]
        for i, a in enumerate(resolved):
            if a is None:
                gap += 1
                node = "*%s>%s#%d" % (prev_resp, nxt[i] or "dst", gap)
            else:
                node, gap, prev_resp = a, 0, a
            adj.setdefault(prev, set()).add(node)
            prev = node
        adj.setdefault(prev, set()).add("P" + p24)


def reach(removed):
    seen_n, stack, count = {"vantage"}, ["vantage"], 0
    while stack:
        u = stack.pop()
        for w in adj.get(u, ()):
            if w == removed or w in seen_n:
                continue
            seen_n.add(w)
            if w.startswith("P"):
                count += 1
            else:
                stack.append(w)
    return count


total = reach(None)
expected = {}
for n in list(adj):
    if n in ("vantage",) or n.startswith("*"):
        continue
    cut = total - reach(n)
    if cut:
        expected[n] = cut
# A rate-limited router that never answered the traces is an anonymous vertex
# in pathmap's graph: compare routers the traces saw.
missing = sorted(k for k in expected if k not in seen)
expected = {k: v for k, v in expected.items() if k in seen}
# A router that answered some probes and not others (lossy link, rate limit)
# sits beside an anonymous twin with the same neighbours: paths bypass it in
# the measured graph, so it cannot be compared with the truth's.
label_node = {d["label"]: n for n, d in g.nodes(data=True) if d["kind"] == "interface"}
anon = {n for n, d in g.nodes(data=True) if d["kind"] == "anonymous"}


def bypassed(n):
    """Some predecessor reaches some successor through silent hops only."""
    succs = set(g.successors(n))
    for p in g.predecessors(n):
        stack, seen_a = [p], set()
        while stack:
            u = stack.pop()
            for w in g.successors(u):
                if w == n:
                    continue
                if w in succs and u != p:
                    return True
                if w in anon and w not in seen_a:
                    seen_a.add(w)
                    stack.append(w)
    return False


flaky = sorted(addr for addr, n in label_node.items() if bypassed(n))
expected = {k: v for k, v in expected.items() if k not in flaky}
got = {c["hop"]: c["prefixes_behind"] for c in report["chokepoints"] if not c["hop"].startswith("*")}
# Compare on routers (destination hosts in the sinks are not in truth paths).
got = {k: v for k, v in got.items() if (k in expected or k in seen and not k.startswith("198.19.")) and k not in flaky}
if got != expected:
    errors.append("chokepoints differ:\n  got      %s\n  expected %s" % (sorted(got.items()), sorted(expected.items())))
if errors:
    print("check_testbed_truth: FAILED\n" + "\n".join(errors))
    sys.exit(1)
print("check_testbed_truth: ok (%d prefixes, %d chokepoints, %d clusters; unseen truth chokepoints %s, sometimes silent %s)"
      % (len(prefixes), len(expected), len(clusters), missing, flaky))
