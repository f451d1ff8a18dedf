#!/usr/bin/python3
"""Reads pathmap graph outputs with real readers (networkx, igraph) and checks
what Gephi users rely on. Usage: check_graph_outputs.py DIR [--expect-role ROLE ...]"""
import json
import math
import sys

import igraph
import networkx as nx


def fail(msg):
    print("check_graph_outputs: " + msg)
    sys.exit(1)


def main():
    d = sys.argv[1]
    expect_roles = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--expect-role"]
    g = nx.read_graphml(d + "/topology.graphml")
    if g.number_of_nodes() < 3:
        fail("too few nodes: %d" % g.number_of_nodes())
    roles = set()
    for n, data in g.nodes(data=True):
        for key in ("label", "kind", "role"):
            if key not in data:
                fail("node %s has no %s" % (n, key))
        roles.add(data["role"])
        for k, v in data.items():
            if isinstance(v, float) and not math.isfinite(v):
                fail("node %s %s is %r" % (n, k, v))
        if not isinstance(data.get("asn", 0), int):
            fail("asn is not an integer on %s" % n)
    for u, v, data in g.edges(data=True):
        for key in ("weight", "kind", "role"):
            if key not in data:
                fail("edge %s->%s has no %s" % (u, v, key))
        if not isinstance(data["weight"], float) or data["weight"] < 1:
            fail("edge weight %r" % data["weight"])
    for r in expect_roles:
        if r not in roles:
            fail("role %s not in graph (roles: %s)" % (r, sorted(roles)))
    # Round trip: write with networkx, read again, same shape.
    nx.write_graphml(g, d + "/roundtrip.graphml")
    g2 = nx.read_graphml(d + "/roundtrip.graphml")
    if (g2.number_of_nodes(), g2.number_of_edges()) != (g.number_of_nodes(), g.number_of_edges()):
        fail("networkx round trip changed the graph")
    ig = igraph.Graph.Read_GraphML(d + "/topology.graphml")
    if ig.vcount() != g.number_of_nodes() or ig.ecount() != g.number_of_edges():
        fail("igraph sees %d/%d, networkx %d/%d" % (ig.vcount(), ig.ecount(), g.number_of_nodes(), g.number_of_edges()))
    if "label" not in ig.vs.attributes() or "weight" not in ig.es.attributes():
        fail("igraph lacks label/weight attributes")
    gx = nx.read_gexf(d + "/topology.gexf")
    if gx.number_of_nodes() != g.number_of_nodes():
        fail("gexf has %d nodes, graphml %d" % (gx.number_of_nodes(), g.number_of_nodes()))
    colours = {(a["viz"]["color"]["r"], a["viz"]["color"]["g"], a["viz"]["color"]["b"]) for _, a in gx.nodes(data=True)}
    if len(colours) < 2:
        fail("gexf nodes are not coloured by role")
    with open(d + "/profiles.jsonl") as f:
        profiles = [json.loads(line) for line in f]
    for p in profiles:
        s = p["summary"]
        for k in ("total_hops", "usable_distance_hops", "estimated_distance_km", "path_confidence", "notes"):
            if k not in s:
                fail("profile summary lacks " + k)
        for h in p["hops"]:
            for k in ("index", "ip", "hostname", "rtt_ms", "role", "layer", "scope", "tags", "reliability",
                      "cluster_id", "region", "distance_km", "usable_for_distance"):
                if k not in h:
                    fail("profile hop lacks " + k)
            if not 0.0 <= h["reliability"] <= 1.0:
                fail("reliability out of range")
    print("ok: %d nodes, %d edges, %d profiles, roles %s" % (g.number_of_nodes(), g.number_of_edges(), len(profiles),
                                                          ",".join(sorted(roles))))


main()
