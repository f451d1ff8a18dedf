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
    // Edges reach the Boost adjacency lists on the first adjacency query, not
    // per reply: adding them one by one while ingesting cost 4x the time and
    // most of the memory of a 10M-reply build (docs/BENCHMARKS.md).
    size_t synced_edges = 0;
    void sync()
    {
        for (; synced_edges < edges.size(); ++synced_edges)
            boost::add_edge(edge_src[synced_edges], edge_dst[synced_edges],
                            detail::EdgeBundle{static_cast<uint32_t>(synced_edges)}, g);
    }
};

} // namespace pathmap::graph
