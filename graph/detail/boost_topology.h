// Private: the storage behind TopologyGraph. Only topology_graph.cpp and
// topology_algorithms.cpp include this (Boost.Graph is slow to compile).
//
// Vertex bundles live in a vector indexed by VertexId and edge bundles in a
// vector indexed by edge number, both appended to while replies arrive. The
// Boost.Graph adjacency over them is a compressed_sparse_row_graph built on
// the first adjacency query after a change: 16 bytes per edge, where a
// bidirectional adjacency_list (an out entry, an in entry and a std::list
// node per edge, all holding copies of the ends) took ~90 and most of the
// peak RSS of a 10M-reply build (docs/BENCHMARKS.md).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/iterator/transform_iterator.hpp>

#include "graph/detail/flat_index.h"
#include "graph/topology_graph.h"

namespace pathmap::graph::detail {

struct EdgeBundle {
    EdgeBundle() = default;
    EdgeBundle(uint32_t i) : index(i) {} // NOLINT: CSR construction assigns edge numbers
    uint32_t index = 0;                  // into TopologyGraph::Impl::edges
};

using BoostAdjacency = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, EdgeBundle,
                                                          boost::no_property, uint32_t, uint32_t>;

} // namespace pathmap::graph::detail

namespace pathmap::graph {

struct TopologyGraph::Impl {
    // An edge's ends sit next to its counters: a lookup that confirms the key
    // has already loaded what the reply then updates.
    struct EdgeRecord {
        EdgeInfo info;
        VertexId src = kNoVertex, dst = kNoVertex;
        std::pair<VertexId, VertexId> ends() const { return {src, dst}; }
    };
    struct EndsOf {
        const std::vector<EdgeRecord> *edges = nullptr;
        std::pair<VertexId, VertexId> operator()(uint32_t e) const { return (*edges)[e].ends(); }
        std::pair<VertexId, VertexId> operator()(const EdgeRecord &r) const { return r.ends(); }
    };

    std::vector<VertexInfo> vertices;
    std::vector<EdgeRecord> edges;
    EndsOf ends_of{&edges};
    detail::FlatIndex by_addr;
    std::unordered_map<VertexId, PrefixStats> prefix_stats; // prefix vertices only (thousands)
    detail::EdgeIndex by_edge[kEdgeKindCount]; // one per EdgeKind
    detail::BoostAdjacency adjacency;
    size_t adjacency_vertices = 0, adjacency_edges = 0; // what `adjacency` was built from
    bool adjacency_built = false;

    const detail::BoostAdjacency &adj()
    {
        if (!adjacency_built || adjacency_vertices != vertices.size() || adjacency_edges != edges.size()) {
            auto first = boost::make_transform_iterator(edges.cbegin(), ends_of);
            auto last = boost::make_transform_iterator(edges.cend(), ends_of);
            adjacency = detail::BoostAdjacency(boost::edges_are_unsorted_multi_pass, first, last,
                                               boost::counting_iterator<uint32_t>(0),
                                               static_cast<uint32_t>(vertices.size()));
            adjacency_vertices = vertices.size();
            adjacency_edges = edges.size();
            adjacency_built = true;
        }
        return adjacency;
    }
};

} // namespace pathmap::graph
