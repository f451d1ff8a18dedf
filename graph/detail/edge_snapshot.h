// Private: successors of every vertex over the edges a predicate keeps, as a
// CSR snapshot taken once. TopologyBuilder::finish adds edges while it walks
// the graph, and TopologyGraph's own adjacency is rebuilt after every change,
// so finish's searches read this fixed copy instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "graph/topology_graph.h"

namespace pathmap::graph::detail {

class EdgeSnapshot {
public:
    template <class Keep>
    EdgeSnapshot(const TopologyGraph &g, Keep keep)
    {
        const size_t n = g.vertex_count();
        first_.assign(n + 1, 0);
        g.for_each_edge([&](const EdgeRef &e) {
            if (keep(e)) ++first_[e.src + 1];
        });
        for (size_t v = 0; v < n; ++v) first_[v + 1] += first_[v];
        to_.resize(first_[n]);
        std::vector<uint32_t> fill(first_.begin(), first_.end() - 1);
        g.for_each_edge([&](const EdgeRef &e) {
            if (keep(e)) to_[fill[e.src]++] = e.dst;
        });
    }
    // Vertices added after the snapshot have no successors in it.
    std::span<const VertexId> out(VertexId v) const
    {
        if (size_t{v} + 1 >= first_.size()) return {};
        return {to_.data() + first_[v], to_.data() + first_[v + 1]};
    }

private:
    std::vector<uint32_t> first_;
    std::vector<VertexId> to_;
};

} // namespace pathmap::graph::detail
