// The picture a person reads (topology.png) and the node positions Gephi
// opens with (x, y in GraphML and GEXF) come from one layout.
//
// The picture is the topology with its leaves folded: where one hop leads to
// many destination prefixes (or, with --hosts, many hosts), they become one
// "N /24s" node, so a /16 sweep draws its routers, not a column of 256 boxes.
// Graphviz lays it out (dot up to a few hundred nodes, sfdp beyond) within
// 6000 px on its longer side; every vertex of the full graph then gets the
// position of the node that stands for it (members of a folded node sit in a
// small ring around it; clusters, routers and regions at their members'
// centroid). Without graphviz, or for a picture too large to draw, a layered
// layout by hop distance gives the positions and no PNG is written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "graph/topology_annotator.h"
#include "graph/topology_graph.h"

namespace pathmap::graph {

struct Point {
    double x = 0.0, y = 0.0; // points (1/72 inch), y up as in graphviz and Gephi
};

struct LayoutOptions {
    bool render_png = true;      // false: positions only (no graphviz run)
    size_t fold_threshold = 3;   // more leaves than this under one hop become one node
    size_t max_picture_nodes = 4000; // above this, no PNG (layered positions)
    int max_pixels = 6000;       // longer side of topology.png
};

struct GraphLayout {
    std::vector<Point> position; // per vertex of the full graph
    std::string engine;          // "dot", "sfdp" or "layered"
    size_t picture_nodes = 0;    // nodes drawn after folding
    size_t folded_nodes = 0;     // "N /24s" / "N hosts" nodes among them
    bool png_written = false;
    std::string note;            // why no PNG, when none was written
};

// Lays the graph out; writes `png` when opts.render_png and graphviz is on
// PATH. Never throws for a graphviz failure (the note says what happened).
GraphLayout lay_out_graph(const TopologyGraph &g, const Annotation &a, const std::filesystem::path &png,
                          const LayoutOptions &opts = {});

// The picture's DOT text (what lay_out_graph hands graphviz); exposed for tests.
std::string picture_dot(const TopologyGraph &g, const Annotation &a, const LayoutOptions &opts = {});

} // namespace pathmap::graph
