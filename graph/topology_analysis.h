// Questions users ask of a topology: which routers are chokepoints (the
// dominator tree from the vantage: how many reached prefixes a router's
// failure would cut off; articulation points of the undirected graph), and
// which links carry the most paths.
#pragma once

#include <string>
#include <vector>

#include "graph/topology_builder.h"

namespace pathmap::graph {

struct Chokepoint {
    VertexId vertex = kNoVertex;
    std::string label;
    HopRole role = HopRole::unknown;
    size_t prefixes_behind = 0;     // prefixes every path to which crosses this vertex
    bool articulation_point = false;
};

// A link between two answered hops (or the vantage and the first answer),
// with the silent probed hops a path crossed between them: anonymous vertices
// are never ends of a link here.
struct LinkLoad {
    VertexId src = kNoVertex, dst = kNoVertex;
    std::string from, to;
    uint32_t paths = 0;
    uint8_t silent_between = 0;
};

// Hops (interface or anonymous vertices) that dominate at least one prefix,
// most prefixes first; ties by label.
std::vector<Chokepoint> find_chokepoints(const TopologyBuilder &b);
// Links between interfaces (destination prefixes excluded), most paths first.
std::vector<LinkLoad> top_links(const TopologyBuilder &b, size_t n);

} // namespace pathmap::graph
