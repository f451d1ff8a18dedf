#!/usr/bin/python3
"""Checks the graph a sweep of the testbed produced against its truth.json.

check_sweep_graph.py TRUTH OUTDIR [--traces TRACES.jsonl] [--report REPORT.json]
                     [--same-as OTHER_OUTDIR] [--name TAG]

OUTDIR holds topology.graphml and topology.png. --traces (the sweep's own
traces.jsonl) makes the prefix counts exact; --report checks `pathmap report
--json`; --same-as compares the path graph with another output directory.
Prints one line per failed check and exits 1 on any.

What the truth says a sweep can see (truth.json, docs/TESTBED.md):
- targets[].paths lists every forwarding path toward a prefix as the reply
  address of each router in forwarding order, null for a silent router. A
  router answers every prober from one address (its route back), so the
  non-null entries over the swept targets are every interface a traceroute
  can name; silent routers' addresses never show.
- Two non-null entries next to each other on a path are a link. Two separated
  only by nulls are the two sides of a silent router: a graph may draw that
  as interface -> anonymous -> interface or as one direct edge (eliding the
  silent hop), and both are true. Any other interface-to-interface edge
  (one skipping a router that answers, or joining hops of different paths)
  is invented.
"""
import argparse
import collections
import ipaddress
import json
import math
import struct
import sys
import xml.etree.ElementTree as ET

import igraph
import networkx as nx

GML = "{http://graphml.graphdrawing.org/xmlns}"
failures = []


def fail(check, msg):
    failures.append("FAIL [%s] %s" % (check, msg))


def examples(items, n=6):
    items = sorted(items, key=str)
    more = " ... (+%d)" % (len(items) - n) if len(items) > n else ""
    return ", ".join(str(i) for i in items[:n]) + more


class Truth:
    def __init__(self, path):
        t = json.load(open(path))
        self.doc = t
        self.targets = t["targets"]
        self.interfaces = set()        # reply addresses a traceroute can see
        self.direct = set()            # (x, y): consecutive answering routers
        self.crossing = collections.defaultdict(set)  # (x, y or None) -> silent run lengths between
        self.silent_names = collections.defaultdict(set)  # (x, y or None) -> silent router names
        self.first_hops = set()        # what the vantage links to (None: a silent first router)
        self.max_silent_run = 0
        self.next_after = collections.defaultdict(set)  # address -> what truth has one hop later (for messages)
        self.swept24 = set()           # every /24 of the targets
        self.routed24 = set()          # /24s of sink prefixes: a host answers there
        self.refused24 = set()         # unreachable, prohibited, blackholed /24s
        self.delay_ms = {}             # routed /24 -> added RTT on its path (delay lines)
        delay_pairs = {}
        for d in t.get("delay_links", []):
            delay_pairs[(d["a"], d["b"])] = delay_pairs[(d["b"], d["a"])] = d["delay_ms"]
        for tg in self.targets:
            nets = [str(n) for n in ipaddress.ip_network(tg["prefix"]).subnets(new_prefix=24)]
            self.swept24.update(nets)
            (self.routed24 if tg["kind"] == "sink" else self.refused24).update(nets)
            for path, routers in zip(tg["paths"], tg["router_paths"]):
                self._walk(path, routers)
                for k, addr in enumerate(path):
                    if addr is None:
                        continue
                    if k + 1 == len(path):
                        self.next_after[addr].add("the destination" if tg["kind"] == "sink" else "nothing (%s)" % tg["kind"])
                    else:
                        nxt = path[k + 1]
                        self.next_after[addr].add("%s (%s)" % (nxt, routers[k + 1]) if nxt else "silent " + routers[k + 1])
                if tg["kind"] == "sink":
                    delay = max((delay_pairs.get(p, 0) for p in zip(routers, routers[1:])), default=0)
                    for n in nets:
                        self.delay_ms[n] = max(self.delay_ms.get(n, 0), delay)
        self.silent_pre = {x for x, _ in self.crossing}
        self.silent_post = {y for _, y in self.crossing if y is not None}
        self.adjacent = self.direct | {p for p in self.crossing if p[1] is not None}

    def _walk(self, path, routers):
        self.first_hops.add(path[0] if path else None)
        prev, run, names = "vantage", 0, []
        for addr, name in zip(path, routers):
            if addr is None:
                run += 1
                names.append(name)
                continue
            self.interfaces.add(addr)
            if run == 0 and prev != "vantage":
                self.direct.add((prev, addr))
            elif run:
                self.crossing[(prev, addr)].add(run)
                self.silent_names[(prev, addr)].update(names)
            self.max_silent_run = max(self.max_silent_run, run)
            prev, run, names = addr, 0, []
        if run:  # the path ends in silence (a blackhole behind a silent router)
            self.crossing[(prev, None)].add(run)
            self.silent_names[(prev, None)].update(names)
            self.max_silent_run = max(self.max_silent_run, run)

    def in_swept24(self, addr):
        try:
            return str(ipaddress.ip_network(addr + "/24", strict=False)) in self.swept24
        except ValueError:
            return False


def read_graph(outdir):
    g = nx.read_graphml(outdir + "/topology.graphml")
    kind = {n: d.get("kind", "?") for n, d in g.nodes(data=True)}
    label = {n: d.get("label", n) for n, d in g.nodes(data=True)}
    links = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("kind") == "link"]
    return g, kind, label, links


def check_graph(truth, outdir, traces_path):
    g, kind, label, links = read_graph(outdir)
    iface = {n for n, k in kind.items() if k == "interface"}
    anon = {n for n, k in kind.items() if k == "anonymous"}
    by_label = collections.defaultdict(list)
    for n in iface:
        by_label[label[n]].append(n)
    dup = [l for l, ns in by_label.items() if len(ns) > 1]
    if dup:
        fail("interfaces", "%d addresses have several interface nodes: %s" % (len(dup), examples(dup)))
    got_if = set(by_label)

    # Interface recall, and interface nodes that are no router's reply address.
    found = truth.interfaces & got_if
    recall_if = len(found) / len(truth.interfaces)
    if recall_if < 0.99:
        fail("interface recall", "%.3f < 0.99 (%d/%d); missing %s" % (recall_if, len(found), len(truth.interfaces),
                                                                       examples(truth.interfaces - got_if, 30)))
    hosts = {a for a in got_if - truth.interfaces if truth.in_swept24(a)}
    if hosts:
        fail("destination hosts", "%d destination hosts (swept /24 addresses that are no router's) are interface "
             "nodes: %s" % (len(hosts), examples(hosts)))
    strangers = got_if - truth.interfaces - hosts
    if strangers:
        fail("interfaces", "%d interface nodes are no truth reply address: %s" % (len(strangers), examples(strangers)))

    # Links between two interfaces; a silent router's sides may be joined by one anonymous node.
    succ = collections.defaultdict(set)
    pred = collections.defaultdict(set)
    reaches = collections.defaultdict(set)
    for u, v, d in g.edges(data=True):
        if d.get("kind") == "reaches":
            reaches[u].add(label[v])
    if_links = {}
    for u, v, d in links:
        succ[u].add(v)
        pred[v].add(u)
        if u in iface and v in iface:
            if_links[(label[u], label[v])] = d
    via_anon = set()
    for a in anon:
        for u in pred[a] & iface:
            for v in succ[a] & iface:
                via_anon.add((label[u], label[v]))
    want = truth.direct | {p for p in truth.crossing if p[1] is not None}
    got_links = {p for p in truth.direct if p in if_links}
    got_links |= {p for p in want - truth.direct if p in if_links or p in via_anon}
    recall_ln = len(got_links) / len(want)
    if recall_ln < 0.99:
        missing = ["%s->%s%s" % (x, y, " (across silent %s)" % "/".join(sorted(truth.silent_names[(x, y)]))
                                 if (x, y) in truth.crossing else "") for x, y in want - got_links]
        fail("link recall", "%.3f < 0.99 (%d/%d); missing %s" % (recall_ln, len(got_links), len(want),
                                                                  examples(missing, 30)))

    # Precision: every interface-to-interface link is a truth adjacency (a silent
    # router's two sides drawn directly count: see the module docstring).
    bad = {p: d for p, d in if_links.items() if p not in truth.adjacent}
    precision = (len(if_links) - len(bad)) / len(if_links) if if_links else 0.0
    if not if_links:
        fail("link precision", "no link edge joins two interface nodes")
    elif bad:
        fail("link precision", "%.3f < 1.0: %d of %d interface links are in no truth path: %s"
             % (precision, len(bad), len(if_links),
                examples(["%s->%s (ttl_gap %s, weight %s)" % (x, y, d.get("ttl_gap", "-"), d.get("weight", "-"))
                          for (x, y), d in bad.items()], 12)))
    for (x, y), d in if_links.items():
        if "ttl_gap" in d and not (isinstance(d["ttl_gap"], int) and d["ttl_gap"] >= 0):
            fail("ttl_gap", "edge %s->%s has ttl_gap %r, not a non-negative integer" % (x, y, d["ttl_gap"]))
            break

    # The vantage links only to the first router (a doubletree trace that starts
    # below its stop set must not be drawn from the vantage).
    first = {a for a in truth.first_hops if a}
    for n, k in kind.items():
        if k != "vantage":
            continue
        wrong = {label[v] for v in succ[n] if (kind[v] == "interface" and label[v] not in first)
                 or (kind[v] == "anonymous" and None not in truth.first_hops)}
        if wrong:
            fail("vantage links", "vantage links to %s; truth's first hop is %s" % (examples(wrong), examples(first)))

    # Anonymous nodes stand only for a silent router, between its truth neighbours.
    bad_anon = []
    for a in sorted(anon):
        ins = {label[u] if kind[u] == "interface" else kind[u] for u in pred[a]}
        outs = {label[v] if kind[v] == "interface" else kind[v] for v in succ[a]}
        if ("anonymous" in ins or "anonymous" in outs) and truth.max_silent_run < 2:
            shown = sorted(outs) + sorted("prefix " + p for p in reaches[a])
            bad_anon.append("%s in a chain of anonymous nodes (%s -> %s -> %s)"
                            % (label[a], examples(ins) or "-", label[a], examples(shown, 2) or "nothing"))
            continue
        in_if = {x for x in ins if x != "anonymous"}  # "vantage" stays: a silent first router
        out_if = {y for y in outs if y not in ("anonymous", "prefix")}
        if not in_if and not out_if:
            bad_anon.append("%s has no interface neighbour" % label[a])
            continue
        ok = all(x in truth.silent_pre for x in in_if) and all(y in truth.silent_post for y in out_if)
        ok = ok and all((x, y) in truth.crossing for x in in_if for y in out_if)
        # Straight to a prefix: truth's path must end in the silent router (no answering router after it).
        if reaches[a] and not out_if:
            ok = ok and all((x, None) in truth.crossing for x in in_if)
        if not ok:
            after = sorted(out_if) + sorted("prefix " + p for p in reaches[a])
            there = sorted({n for x in in_if for n in truth.next_after.get(x, ())})
            bad_anon.append("%s between %s and %s (truth there: %s)" % (label[a], examples(in_if) or "-",
                                                                        examples(after, 2) or "-", examples(there, 3) or "?"))
    if bad_anon:
        sides = ["%s|%s (%s)" % (x, y or "end", "/".join(sorted(truth.silent_names[(x, y)]))) for x, y in truth.crossing]
        fail("anonymous nodes", "%d of %d anonymous nodes are where truth has no silent router: %s; truth's silent "
             "routers sit between %s" % (len(bad_anon), len(anon), "; ".join(bad_anon[:8]), examples(sides)))

    # Size.
    bound = 3 * (len(truth.interfaces) + len(truth.routed24))
    if g.number_of_nodes() > bound:
        counts = collections.Counter(kind.values())
        fail("node count", "%d nodes > 3 x (%d interfaces + %d routed /24s) = %d (by kind: %s)"
             % (g.number_of_nodes(), len(truth.interfaces), len(truth.routed24), bound,
                ", ".join("%s %d" % kv for kv in sorted(counts.items()))))

    # Prefix nodes: counts of hosts probed and reached.
    per24 = None
    if traces_path:
        per24 = collections.defaultdict(lambda: [set(), set()])
        with open(traces_path) as f:
            for line in f:
                if line.strip():
                    tr = json.loads(line)
                    p = str(ipaddress.ip_network(tr["dst"] + "/24", strict=False))
                    per24[p][0].add(tr["dst"])
                    if tr["reached"]:
                        per24[p][1].add(tr["dst"])
    prefix_nodes = {}
    bad_pfx = []
    for n, k in kind.items():
        if k != "prefix":
            continue
        d = g.nodes[n]
        lab = label[n]
        prefix_nodes[lab] = d
        hp, hr = d.get("hosts_probed"), d.get("hosts_reached")
        if not isinstance(hp, int) or not isinstance(hr, int) or isinstance(hp, bool) or isinstance(hr, bool):
            bad_pfx.append("%s hosts_probed=%r hosts_reached=%r (not integers)" % (lab, hp, hr))
            continue
        if lab in truth.routed24 and not hp >= hr >= 1:
            bad_pfx.append("%s hosts_probed=%d hosts_reached=%d (want probed >= reached >= 1)" % (lab, hp, hr))
        elif lab in truth.refused24 and (hr != 0 or hp < 0):
            bad_pfx.append("%s is refused in truth but hosts_reached=%d" % (lab, hr))
        elif lab not in truth.swept24:
            bad_pfx.append("%s was not swept" % lab)
        if per24 is not None and lab in per24 and (hp, hr) != (len(per24[lab][0]), len(per24[lab][1])):
            bad_pfx.append("%s hosts_probed=%d hosts_reached=%d, traces.jsonl has %d probed %d reached"
                           % (lab, hp, hr, len(per24[lab][0]), len(per24[lab][1])))
        if hr and hr >= 1:
            lo, hi = d.get("rtt_min_ms"), d.get("rtt_max_ms")
            if not all(isinstance(v, float) and math.isfinite(v) for v in (lo, hi)) or not 0 <= lo <= hi:
                bad_pfx.append("%s rtt_min_ms=%r rtt_max_ms=%r" % (lab, lo, hi))
            elif truth.delay_ms.get(lab, 0) and lo < 0.8 * truth.delay_ms[lab]:
                bad_pfx.append("%s rtt_min_ms=%.2f but its path has a %d ms delay line" % (lab, lo, truth.delay_ms[lab]))
    if bad_pfx:
        fail("prefix nodes", "%d bad prefix nodes: %s" % (len(bad_pfx), examples(bad_pfx, 8)))
    reached24 = ({p for p, (_, r) in per24.items() if r} if per24 is not None else truth.routed24)
    unseen = reached24 - set(prefix_nodes)
    if unseen:
        fail("prefix nodes", "%d reached /24s have no prefix node: %s" % (len(unseen), examples(unseen)))
    return {"recall_if": recall_if, "n_if": len(found), "want_if": len(truth.interfaces), "recall_ln": recall_ln,
            "n_ln": len(got_links), "want_ln": len(want), "precision": precision, "n_links": len(if_links),
            "nodes": g.number_of_nodes(), "bound": bound, "anon": len(anon), "prefixes": len(prefix_nodes)}


def check_gephi(outdir):
    """GraphML as Gephi reads it: typed keys, positions and colours on nodes."""
    path = outdir + "/topology.graphml"
    root = ET.parse(path).getroot()
    keys = {}
    for k in root.iter(GML + "key"):
        if not k.get("for") or not k.get("attr.type") or not k.get("attr.name"):
            fail("graphml keys", "key %r lacks for=, attr.name= or attr.type=" % k.get("id"))
        keys[k.get("id")] = (k.get("for"), k.get("attr.name"), k.get("attr.type"))
    node_keys = {name: (kid, typ) for kid, (forr, name, typ) in keys.items() if forr in ("node", "all")}
    edge_keys = {name: kid for kid, (forr, name, _) in keys.items() if forr in ("edge", "all")}
    want = {"x": ("float", "double", "int", "long"), "y": ("float", "double", "int", "long"),
            "size": ("float", "double", "int", "long"), "r": ("int", "long"), "g": ("int", "long"), "b": ("int", "long")}
    for name, types in want.items():
        if name not in node_keys:
            fail("graphml layout", "no node key named %s" % name)
        elif node_keys[name][1] not in types:
            fail("graphml layout", "node key %s has attr.type %s, want %s" % (name, node_keys[name][1], "/".join(types)))
    graph = root.find(GML + "graph")
    lacking = collections.defaultdict(list)
    names = {}
    for n in graph.iter(GML + "node"):
        data = {d.get("key"): (d.text or "") for d in n.findall(GML + "data")}
        names[n.get("id")] = data.get(node_keys.get("label", ("label",))[0], n.get("id"))
        for name in want:
            if name not in node_keys:
                continue
            v = data.get(node_keys[name][0])
            try:
                ok = v is not None and (math.isfinite(float(v)) if name in ("x", "y", "size")
                                        else 0 <= int(v) <= 255)
            except ValueError:
                ok = False
            if not ok:
                lacking[name].append("%s=%r" % (names[n.get("id")], v))
    for name, bad in sorted(lacking.items()):
        fail("graphml layout", "%d nodes without a valid %s: %s" % (len(bad), name, examples(bad, 4)))
    pairs = collections.Counter()
    unweighted = []
    kind_key, weight_key = edge_keys.get("kind"), edge_keys.get("weight")
    for e in graph.iter(GML + "edge"):
        pairs[(e.get("source"), e.get("target"))] += 1
        data = {d.get("key"): (d.text or "") for d in e.findall(GML + "data")}
        if data.get(kind_key) in ("link", "reaches"):
            try:
                float(data[weight_key])
            except (KeyError, ValueError):
                unweighted.append(e.get("id"))
    multi = {p: c for p, c in pairs.items() if c > 1}
    if multi:
        fail("graphml edges", "%d (source, target) pairs have several edges: %s"
             % (len(multi), examples(["%s->%s x%d" % (names.get(s, s), names.get(t, t), c) for (s, t), c in multi.items()])))
    if unweighted:
        fail("graphml edges", "%d link/reaches edges without a weight: %s" % (len(unweighted), examples(unweighted)))
    try:
        ig = igraph.Graph.Read_GraphML(path)
        missing = [a for a in ("x", "y", "r", "g", "b") if a not in ig.vs.attributes()]
        if missing:
            fail("igraph", "igraph reads no vertex attribute %s" % ", ".join(missing))
    except Exception as e:  # igraph raises its own InternalError on bad files
        fail("igraph", "Read_GraphML failed: %s" % e)


def check_png(outdir):
    try:
        with open(outdir + "/topology.png", "rb") as f:
            head = f.read(24)
    except OSError as e:
        fail("png", "no topology.png: %s" % e.strerror)
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        fail("png", "topology.png is not a PNG")
        return None
    w, h = struct.unpack(">II", head[16:24])
    if w > 6000 or h > 6000:
        fail("png", "topology.png is %dx%d, more than 6000 px on a side" % (w, h))
    return w, h


def check_report(truth, path):
    rep = json.load(open(path))
    links = rep.get("top_links")
    if not links:
        fail("report", "no top_links in the report")
        return
    starred = ["%s->%s" % (l["from"], l["to"]) for l in links if l["from"].startswith("*") or l["to"].startswith("*")]
    if starred:
        fail("report", "%d of %d top_links have an anonymous end (chains not collapsed): %s"
             % (len(starred), len(links), examples(starred)))
    wrong = []
    for l in links:
        # silent_between: silent hops the collapsed chain held (0 or absent: a direct link).
        sb = l.get("silent_between")
        if sb is not None and (not isinstance(sb, int) or isinstance(sb, bool) or sb < 0):
            wrong.append("%s->%s silent_between=%r" % (l["from"], l["to"], sb))
            continue
        pair = (l["from"], l["to"])
        if pair[0] in truth.interfaces and pair[1] in truth.interfaces:
            if sb:
                ok = sb in truth.crossing.get(pair, ())
            else:
                ok = pair in truth.adjacent  # a silent router's sides drawn directly count too
            if not ok:
                what = "across %d silent hop(s)" % sb if sb else "direct"
                wrong.append("%s->%s %s" % (l["from"], l["to"], what))
    if wrong:
        fail("report", "%d of %d top_links are in no truth path: %s" % (len(wrong), len(links), examples(wrong)))


def signature(outdir):
    """Path graph as comparable labels (anonymous nodes named by their neighbours)."""
    g, kind, label, _ = read_graph(outdir)
    keep = {"interface", "anonymous", "prefix", "vantage"}

    def name(n):
        if kind[n] != "anonymous":
            return "%s:%s" % (kind[n], label[n])
        return "*(%s>%s)" % (",".join(sorted(label[u] for u in g.predecessors(n))),
                             ",".join(sorted(label[v] for v in g.successors(n))))
    nodes = {name(n) for n in g.nodes if kind[n] in keep}
    edges = {(name(u), name(v), d.get("kind")) for u, v, d in g.edges(data=True)
             if kind[u] in keep and kind[v] in keep and d.get("kind") in ("link", "reaches")}
    return nodes, edges


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("outdir")
    ap.add_argument("--traces")
    ap.add_argument("--report")
    ap.add_argument("--same-as")
    ap.add_argument("--name", default="graph")
    ap.add_argument("--show-truth", action="store_true", help="print the truth sets and exit")
    a = ap.parse_args()
    truth = Truth(a.truth)
    if a.show_truth:
        print("interfaces (%d): %s" % (len(truth.interfaces), " ".join(sorted(truth.interfaces))))
        print("direct links (%d): %s" % (len(truth.direct), " ".join("%s>%s" % p for p in sorted(truth.direct))))
        for p, runs in sorted(truth.crossing.items(), key=str):
            print("silent %s between %s and %s (run %s)" % ("/".join(sorted(truth.silent_names[p])), p[0], p[1], sorted(runs)))
        print("first hops %s; %d swept /24s, %d routed, %d refused; delay %s" % (
            sorted(map(str, truth.first_hops)), len(truth.swept24), len(truth.routed24), len(truth.refused24),
            sorted({(k, v) for k, v in truth.delay_ms.items() if v})[:3]))
        return 0
    try:
        stats = check_graph(truth, a.outdir, a.traces)
    except (OSError, ValueError, KeyError, ET.ParseError, nx.NetworkXError) as e:
        fail("graphml", "networkx cannot read %s/topology.graphml: %s: %s" % (a.outdir, type(e).__name__, e))
        stats = None
    try:
        check_gephi(a.outdir)
    except (OSError, ET.ParseError) as e:
        fail("graphml", "cannot parse %s/topology.graphml as XML: %s" % (a.outdir, e))
    png = check_png(a.outdir)
    if a.report:
        try:
            check_report(truth, a.report)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            fail("report", "cannot read the report %s: %s: %s" % (a.report, type(e).__name__, e))
    if a.same_as and stats:
        n1, e1 = signature(a.outdir)
        n2, e2 = signature(a.same_as)
        if n1 != n2 or e1 != e2:
            fail("agreement", "%s and %s differ: nodes only here %s, only there %s; edges only here %d, only there %d (%s)"
                 % (a.outdir, a.same_as, examples(n1 - n2, 4), examples(n2 - n1, 4), len(e1 - e2), len(e2 - e1),
                    examples(["%s->%s" % e[:2] for e in (e1 ^ e2)], 4)))
    if stats is None:
        stats = collections.defaultdict(int, recall_if=0.0, recall_ln=0.0, precision=0.0)
    print("%s: interface recall %.3f (%d/%d), link recall %.3f (%d/%d), link precision %.3f (%d links), "
          "%d anonymous, %d prefixes, nodes %d <= %d: %s, png %s"
          % (a.name, stats["recall_if"], stats["n_if"], stats["want_if"], stats["recall_ln"], stats["n_ln"],
             stats["want_ln"], stats["precision"], stats["n_links"], stats["anon"], stats["prefixes"], stats["nodes"],
             stats["bound"], "yes" if stats["nodes"] <= stats["bound"] else "NO", "%dx%d" % png if png else "none"))
    for f in failures:
        print("%s: %s" % (a.name, f))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
