#!/usr/bin/python3
"""Probes per target against targets per /24, from bench/sweep_bench.sh results.

sweep_plot.py OUT.png RESULTS.jsonl [RESULTS.jsonl ...]
One line per (topology, tool); RESULTS lines are sweep_coverage.py's
COVERAGE_JSON records (a scamper record repeated for each pathmap run it was
compared with is drawn once). Needs matplotlib (python3-matplotlib).
"""
import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out, files = sys.argv[1], sys.argv[2:]
series = defaultdict(dict)  # (topology, tool) -> per_24 -> probes per target
for f in files:
    for line in open(f):
        r = json.loads(line)
        series[(r["topology"], r["tool"])][float(r["per_24"])] = r["probes_per_target"]

styles = {"pathmap": "o-", "pathmap --scouts 0": "s--", "scamper": "^:"}
colors = {}
fig, ax = plt.subplots(figsize=(8, 5))
for (topo, tool), pts in sorted(series.items()):
    xs = sorted(pts)
    color = colors.setdefault(topo, f"C{len(colors)}")
    ax.plot(xs, [pts[x] for x in xs], styles.get(tool, "x-"), color=color, label=f"{tool} ({topo})")
    for x in xs:
        ax.annotate(f"{pts[x]:.2f}", (x, pts[x]), textcoords="offset points", xytext=(4, 4), fontsize=7, color=color)
ax.set_xscale("log", base=2)
ticks = sorted({x for pts in series.values() for x in pts})
ax.set_xticks(ticks)
ax.set_xticklabels([f"{x:g}" for x in ticks])
ax.set_xlabel("targets per /24 (256 = --all-hosts of the /16)")
ax.set_ylabel("probes per target")
ax.set_ylim(bottom=0)
ax.set_title("Sweep of 198.19.0.0/16: probes per target vs target density")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=110)
