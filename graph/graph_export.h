// Writers of the graph's file formats: GraphML (Gephi, networkx, igraph),
// GEXF with viz styling, graphviz DOT, and one profiles.jsonl line.
#pragma once

#include <iosfwd>
#include <string>

#include "graph/hop_classifier.h"
#include "graph/topology_annotator.h"
#include "graph/topology_graph.h"

namespace pathmap::graph {

// Colour per role (cluster vertices use their kind's role), shared by GEXF and DOT.
struct Rgb {
    int r, g, b;
};
Rgb role_colour(HopRole r, VertexKind k);

void write_graphml(const TopologyGraph &g, std::ostream &out);
void write_gexf(const TopologyGraph &g, std::ostream &out);
// DOT draws hops, prefixes and the vantage; clusters become boxes around
// their members (each hop in its primary cluster), routers are not drawn.
void write_dot(const TopologyGraph &g, const Annotation &a, std::ostream &out);
std::string profile_json_line(const TraceProfile &p, const Annotation &a);

} // namespace pathmap::graph
