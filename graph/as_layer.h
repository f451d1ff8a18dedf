// The AS layer of the hypergraph: one `as` vertex per AS number the
// interfaces carry (from the location database, a pfx2as file or rDNS), an
// `in_as` edge from each interface to its AS, and an `as_link` edge between
// two ASes for the interface links that cross from one to the other. Links
// whose ends lie in two different ASes are AS boundaries (as_boundary).
#pragma once

#include <cstddef>

#include "graph/topology_graph.h"

namespace pathmap::graph {

struct AsLayerSummary {
    size_t ases = 0;           // as vertices
    size_t interfaces = 0;     // interfaces placed in an AS
    size_t boundary_links = 0; // interface links between two ASes
};

// Run after annotation (interfaces have their asn). Adds vertices and edges
// only; nothing that exists changes.
AsLayerSummary add_as_layer(TopologyGraph &g);

// True for a link whose two ends are in two different known ASes, and for
// an as_link.
bool is_as_boundary(const TopologyGraph &g, const EdgeRef &e);

} // namespace pathmap::graph
