// Private: the Boost.Graph type behind TopologyGraph. Only topology_graph.cpp
// and topology_algorithms.cpp include this (Boost.Graph is slow to compile).
#pragma once

#include <cstdint>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "graph/detail/flat_index.h"
#include "graph/topology_graph.h"

namespace pathmap::graph::detail {

struct EdgeBundle {
    uint32_t index = 0; // into TopologyGraph::Impl::edges
};

using BoostTopology =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexInfo, EdgeBundle>;

} // namespace pathmap::graph::detail

namespace pathmap::graph {

struct TopologyGraph::Impl {
    detail::BoostTopology g;
    std::vector<EdgeInfo> edges;
    std::vector<VertexId> edge_src, edge_dst;
    detail::FlatIndex by_addr;
    detail::FlatIndex by_edge[4]; // one per EdgeKind, key src<<32|dst
};

} // namespace pathmap::graph
