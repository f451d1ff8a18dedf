// TopologyGraph over boost::adjacency_list; edge properties live in a side
// vector so lookups by (src, dst, kind) go through a flat hash index.
#include "graph/topology_graph.h"

#include <stdexcept>

#include "graph/detail/boost_topology.h"

namespace pathmap::graph {

namespace {
uint64_t edge_key(VertexId s, VertexId d) { return (uint64_t{s} << 32) | d; }
} // namespace

TopologyGraph::TopologyGraph() : impl_(std::make_unique<Impl>()) {}
TopologyGraph::~TopologyGraph() = default;
TopologyGraph::TopologyGraph(TopologyGraph &&) noexcept = default;
TopologyGraph &TopologyGraph::operator=(TopologyGraph &&) noexcept = default;

VertexId TopologyGraph::add_vertex(VertexInfo info)
{
    return static_cast<VertexId>(boost::add_vertex(std::move(info), impl_->g));
}

VertexId TopologyGraph::interface_vertex(uint32_t addr)
{
    uint32_t found = impl_->by_addr.find(addr);
    if (found != detail::FlatIndex::kAbsent) return found;
    VertexInfo info;
    info.kind = VertexKind::interface;
    info.addr = addr;
    VertexId v = add_vertex(std::move(info));
    impl_->by_addr.insert(addr, v);
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
    auto &index = impl_->by_edge[static_cast<int>(kind)];
    uint32_t next = static_cast<uint32_t>(impl_->edges.size());
    uint32_t idx = index.insert(edge_key(src, dst), next);
    if (idx == next) {
        EdgeInfo info;
        info.kind = kind;
        impl_->edges.push_back(info);
        impl_->edge_src.push_back(src);
        impl_->edge_dst.push_back(dst);
    }
    return impl_->edges[idx];
}

const EdgeInfo *TopologyGraph::find_edge(VertexId src, VertexId dst, EdgeKind kind) const
{
    uint32_t idx = impl_->by_edge[static_cast<int>(kind)].find(edge_key(src, dst));
    return idx == detail::FlatIndex::kAbsent ? nullptr : &impl_->edges[idx];
}

size_t TopologyGraph::vertex_count() const { return boost::num_vertices(impl_->g); }
size_t TopologyGraph::edge_count() const { return impl_->edges.size(); }

VertexInfo &TopologyGraph::vertex(VertexId v)
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::vertex: no such vertex");
    return impl_->g[v];
}

const VertexInfo &TopologyGraph::vertex(VertexId v) const
{
    if (v >= vertex_count()) throw std::out_of_range("TopologyGraph::vertex: no such vertex");
    return impl_->g[v];
}

void TopologyGraph::for_each_edge(const std::function<void(const EdgeRef &)> &fn) const
{
    // Insertion order, so exports are deterministic.
    for (size_t i = 0; i < impl_->edges.size(); ++i)
        fn(EdgeRef{impl_->edge_src[i], impl_->edge_dst[i], &impl_->edges[i]});
}

std::vector<EdgeRef> TopologyGraph::out_edges(VertexId v) const
{
    std::vector<EdgeRef> out;
    impl_->sync();
    for (auto [it, end] = boost::out_edges(v, impl_->g); it != end; ++it) {
        uint32_t idx = impl_->g[*it].index;
        out.push_back({v, static_cast<VertexId>(boost::target(*it, impl_->g)), &impl_->edges[idx]});
    }
    return out;
}

std::vector<EdgeRef> TopologyGraph::in_edges(VertexId v) const
{
    std::vector<EdgeRef> out;
    impl_->sync();
    for (auto [it, end] = boost::in_edges(v, impl_->g); it != end; ++it) {
        uint32_t idx = impl_->g[*it].index;
        out.push_back({static_cast<VertexId>(boost::source(*it, impl_->g)), v, &impl_->edges[idx]});
    }
    return out;
}

size_t TopologyGraph::degree(VertexId v) const
{
    impl_->sync();
    return boost::out_degree(v, impl_->g) + boost::in_degree(v, impl_->g);
}

void TopologyGraph::reserve(size_t vertices, size_t edges)
{
    impl_->g.m_vertices.reserve(vertices);
    impl_->edges.reserve(edges);
    impl_->edge_src.reserve(edges);
    impl_->edge_dst.reserve(edges);
    impl_->by_addr.reserve(vertices);
    impl_->by_edge[static_cast<int>(EdgeKind::link)].reserve(edges);
}

} // namespace pathmap::graph
