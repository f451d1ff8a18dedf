// TopologyGraph: pathmap's topology as a hypergraph stored in an ordinary
// directed graph. Ordinary vertices are interfaces, anonymous (silent) hops,
// prefixes and the vantage; hyperedges (a router's alias set, a cluster such
// as a CGNAT span or an ECMP diamond, a region) are stored as incidence
// vertices of their own, joined to their members by member_of / located_in
// edges. Paths are kept by the builder as vertex sequences.
//
// Storage is Boost.Graph (adjacency_list, vecS, bundled properties), hidden
// behind this class so that Boost.Graph headers are compiled in one place.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "graph/topology_types.h"

namespace pathmap::graph {

struct EdgeRef {
    VertexId src = kNoVertex;
    VertexId dst = kNoVertex;
    const EdgeInfo *info = nullptr;
};

class TopologyGraph {
public:
    TopologyGraph();
    ~TopologyGraph();
    TopologyGraph(TopologyGraph &&) noexcept;
    TopologyGraph &operator=(TopologyGraph &&) noexcept;

    VertexId add_vertex(VertexInfo info);
    // The interface vertex for an address, created on first sight.
    VertexId interface_vertex(uint32_t addr);
    std::optional<VertexId> find_interface(uint32_t addr) const;

    // The edge src->dst of this kind, created on first use (one per kind).
    EdgeInfo &edge(VertexId src, VertexId dst, EdgeKind kind);
    const EdgeInfo *find_edge(VertexId src, VertexId dst, EdgeKind kind) const;

    size_t vertex_count() const;
    size_t edge_count() const;
    VertexInfo &vertex(VertexId v);
    const VertexInfo &vertex(VertexId v) const;

    void for_each_edge(const std::function<void(const EdgeRef &)> &fn) const;
    std::vector<EdgeRef> out_edges(VertexId v) const;
    std::vector<EdgeRef> in_edges(VertexId v) const;
    size_t degree(VertexId v) const; // in + out, all kinds

    void reserve(size_t vertices, size_t edges);

    // Host counts of a prefix vertex (TopologyBuilder::finish fills them).
    void set_prefix_stats(VertexId v, const PrefixStats &s);
    const PrefixStats *prefix_stats(VertexId v) const; // nullptr when none

    // Cache hints for the builder, which knows a path's addresses before it
    // walks them: the lookups' memory loads then overlap instead of queueing.
    void prefetch_interface(uint32_t addr) const noexcept;
    // The vertex of an address if it exists (kNoVertex if not), also loading its record.
    VertexId peek_interface(uint32_t addr) const noexcept;
    void prefetch_edge(VertexId src, VertexId dst, EdgeKind kind) const noexcept;
    // After prefetch_edge has had time: loads the edge's own record.
    void prefetch_edge_record(VertexId src, VertexId dst, EdgeKind kind) const noexcept;

    // Analysis over the path subgraph (vantage, interface, anonymous, prefix
    // vertices joined by link and reaches edges).
    // Articulation points of its undirected view.
    std::vector<VertexId> articulation_points() const;
    // Immediate dominator of every vertex reached from root (kNoVertex elsewhere
    // and for root itself): every path from root to v crosses idom[v].
    std::vector<VertexId> dominator_tree(VertexId root) const { return dominator_tree(std::vector<VertexId>{root}); }
    // From several roots (vantage points) at once: a vertex's dominator is
    // then what every path from any root to it crosses; kNoVertex for the
    // roots and for vertices whose paths meet only at the roots.
    std::vector<VertexId> dominator_tree(const std::vector<VertexId> &roots) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pathmap::graph
