// TopologyGraph: vertex and edge bundles in vectors, lookups by address and
// by (src, dst, kind) through flat hash indexes, adjacency through Boost.Graph
// (detail/boost_topology.h).
#include "graph/topology_graph.h"

#include <algorithm>
#include <stdexcept>

#include "graph/detail/boost_topology.h"

namespace pathmap::graph {

TopologyGraph::TopologyGraph() : impl_(std::make_unique<Impl>()) {}
TopologyGraph::~TopologyGraph() = default;
TopologyGraph::TopologyGraph(TopologyGraph &&) noexcept = default;
TopologyGraph &TopologyGraph::operator=(TopologyGraph &&) noexcept = default;

VertexId TopologyGraph::add_vertex(VertexInfo info)
{
    impl_->vertices.push_back(std::move(info));
    return static_cast<VertexId>(impl_->vertices.size() - 1);
}

VertexId TopologyGraph::interface_vertex(uint32_t addr)
{
    uint32_t next = static_cast<uint32_t>(impl_->vertices.size());
    uint32_t v = impl_->by_addr.insert(addr, next);
    if (v == next) {
        VertexInfo &info = impl_->vertices.emplace_back();
        info.kind = VertexKind::interface;
        info.addr = addr;
    }
    return v;
}

std::optional<VertexId> TopologyGraph::find_interface(uint32_t addr) const
{
    uint32_t found = impl_->by_addr.find(addr);
    if (found == detail::FlatIndex::kAbsent) return std::nullopt;
    return found;
}

EdgeInfo &TopologyGraph::edge(VertexId src, VertexId dst, EdgeKind kind)
{
    if (src >= vertex_count() || dst >= vertex_count()) throw std::out_of_range("TopologyGraph::edge: no such vertex");
    uint32_t next = static_cast<uint32_t>(impl_->edges.size());
    uint32_t idx = impl_->by_edge[static_cast<int>(kind)].insert(src, dst, next, impl_->ends_of);
    if (idx == next) impl_->edges.push_back({.info = {.kind = kind}, .src = src, .dst = dst});
    return impl_->edges[idx].info;
}

const EdgeInfo *TopologyGraph::find_edge(VertexId src, VertexId dst, EdgeKind kind) const
{
    uint32_t idx = impl_->by_edge[static_cast<int>(kind)].find(src, dst, impl_->ends_of);
    return idx == detail::EdgeIndex::kAbsent ? nullptr : &impl_->edges[idx].info;
}

void TopologyGraph::set_prefix_stats(VertexId v, const PrefixStats &s) { impl_->prefix_stats[v] = s; }

const PrefixStats *TopologyGraph::prefix_stats(VertexId v) const
{
    auto it = impl_->prefix_stats.find(v);
    return it == impl_->prefix_stats.end() ? nullptr : &it->second;
}

size_t TopologyGraph::vertex_count() const { return impl_->vertices.size(); }
size_t TopologyGraph::edge_count() const { return impl_->edges.size(); }

VertexInfo &TopologyGraph::vertex(VertexId v)
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::vertex: no such vertex");
    return impl_->vertices[v];
}

const VertexInfo &TopologyGraph::vertex(VertexId v) const
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::vertex: no such vertex");
    return impl_->vertices[v];
}

void TopologyGraph::for_each_edge(const std::function<void(const EdgeRef &)> &fn) const
{
    // Insertion order, so exports are deterministic.
    for (size_t i = 0; i < impl_->edges.size(); ++i)
        fn(EdgeRef{impl_->edges[i].src, impl_->edges[i].dst, &impl_->edges[i].info});
}

std::vector<EdgeRef> TopologyGraph::out_edges(VertexId v) const
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::out_edges: no such vertex");
    const detail::BoostAdjacency &a = impl_->adj();
    std::vector<EdgeRef> out;
    // The CSR keeps each vertex's out-edges in insertion order (a stable sort by source).
    for (auto [it, end] = boost::out_edges(v, a); it != end; ++it)
        out.push_back({v, boost::target(*it, a), &impl_->edges[a[*it].index].info});
    return out;
}

std::vector<EdgeRef> TopologyGraph::in_edges(VertexId v) const
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::in_edges: no such vertex");
    const detail::BoostAdjacency &a = impl_->adj();
    std::vector<std::pair<uint32_t, VertexId>> found; // edge number, source
    for (auto [it, end] = boost::in_edges(v, a); it != end; ++it) found.emplace_back(a[*it].index, boost::source(*it, a));
    std::sort(found.begin(), found.end()); // insertion order, as for out_edges
    std::vector<EdgeRef> out;
    out.reserve(found.size());
    for (auto [idx, src] : found) out.push_back({src, v, &impl_->edges[idx].info});
    return out;
}

size_t TopologyGraph::degree(VertexId v) const
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::degree: no such vertex");
    const detail::BoostAdjacency &a = impl_->adj();
    return boost::out_degree(v, a) + boost::in_degree(v, a);
}

void TopologyGraph::prefetch_interface(uint32_t addr) const noexcept { impl_->by_addr.prefetch(addr); }

VertexId TopologyGraph::peek_interface(uint32_t addr) const noexcept
{
    uint32_t v = impl_->by_addr.find(addr);
    if (v == detail::FlatIndex::kAbsent) return kNoVertex;
    __builtin_prefetch(&impl_->vertices[v]);
    return v;
}

void TopologyGraph::prefetch_edge(VertexId src, VertexId dst, EdgeKind kind) const noexcept
{
    impl_->by_edge[static_cast<int>(kind)].prefetch(src, dst);
}

void TopologyGraph::prefetch_edge_record(VertexId src, VertexId dst, EdgeKind kind) const noexcept
{
    // Tag match only: a rare false match just loads the wrong record.
    uint32_t e = impl_->by_edge[static_cast<int>(kind)].probe(src, dst);
    if (e != detail::EdgeIndex::kAbsent) __builtin_prefetch(&impl_->edges[e]);
}

void TopologyGraph::reserve(size_t vertices, size_t edges)
{
    impl_->vertices.reserve(vertices);
    impl_->edges.reserve(edges);
    impl_->by_addr.reserve(vertices);
    impl_->by_edge[static_cast<int>(EdgeKind::link)].reserve(edges, impl_->ends_of);
}

} // namespace pathmap::graph
