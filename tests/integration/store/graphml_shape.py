#!/usr/bin/python3
"""Prints a topology.graphml's shape, one sorted line per vertex and edge,
for the hop-store tests to compare two graphs: vertices as KIND LABEL (the
vantage as KIND only, its label being the vantage's name), edges as
EKIND FROM TO by those labels. RTTs, weights and positions are left out.
--vantage prints the vantage vertex's label alone."""
import sys
import xml.etree.ElementTree as ET

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def main(argv):
    path = argv[-1]
    root = ET.parse(path).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", NS)}
    nodes = {}
    for n in root.iter("{%s}node" % NS["g"]):
        d = {keys.get(x.get("key"), x.get("key")): (x.text or "") for x in n.findall("g:data", NS)}
        nodes[n.get("id")] = d
    if "--vantage" in argv:
        print(" ".join(d["label"] for d in nodes.values() if d.get("kind") == "vantage"))
        return 0
    name = {i: ("vantage" if d.get("kind") == "vantage" else d.get("label", "")) for i, d in nodes.items()}
    lines = [f"vertex {d.get('kind')} {name[i]}" for i, d in nodes.items()]
    for e in root.iter("{%s}edge" % NS["g"]):
        d = {keys.get(x.get("key"), x.get("key")): (x.text or "") for x in e.findall("g:data", NS)}
        lines.append(f"edge {d.get('ekind', d.get('kind', '?'))} {name[e.get('source')]} {name[e.get('target')]}")
    for line in sorted(lines):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
