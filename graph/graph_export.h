// Writers of the graph's file formats: GraphML (Gephi, networkx, igraph),
// GEXF with viz styling, graphviz DOT, and one profiles.jsonl line.
#pragma once

#include <iosfwd>
#include <string>

#include "graph/graph_layout.h"
#include "graph/hop_classifier.h"
#include "graph/topology_annotator.h"
#include "graph/topology_graph.h"

namespace pathmap::graph {

// Colour per role (cluster vertices use their kind's role), shared by GEXF and DOT.
struct Rgb {
    int r, g, b;
};
Rgb role_colour(HopRole r, VertexKind k);

// With a layout, every node carries Gephi's x, y, size and r, g, b.
void write_graphml(const TopologyGraph &g, std::ostream &out, const GraphLayout *layout = nullptr);
void write_gexf(const TopologyGraph &g, std::ostream &out, const GraphLayout *layout = nullptr);
// DOT draws every hop, prefix and the vantage (nothing folded; see
// graph_layout.h for the picture); clusters become boxes around their members
// (each hop in its primary cluster), routers are not drawn.
void write_dot(const TopologyGraph &g, const Annotation &a, std::ostream &out);
// One DOT node statement for vertex v under the given node name.
std::string dot_node_line(const TopologyGraph &g, VertexId v, const std::string &name);
std::string profile_json_line(const TraceProfile &p, const Annotation &a);

} // namespace pathmap::graph
