// Articulation points and dominators over the path subgraph, with Boost.Graph
// algorithms run on a compact copy (only vertices and edges that carry paths).
#include <algorithm>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <boost/graph/dominator_tree.hpp>

#include "graph/detail/boost_topology.h"

namespace pathmap::graph {

namespace {

bool on_path_subgraph(const VertexInfo &v)
{
    return v.kind == VertexKind::vantage || v.kind == VertexKind::interface || v.kind == VertexKind::anonymous ||
           v.kind == VertexKind::prefix;
}

bool path_edge(const EdgeInfo &e) { return e.kind == EdgeKind::link || e.kind == EdgeKind::reaches; }

} // namespace

std::vector<VertexId> TopologyGraph::articulation_points() const
{
    using Undirected = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
    size_t n = vertex_count();
    Undirected u(n);
    for (size_t i = 0; i < impl_->edges.size(); ++i) {
        if (!path_edge(impl_->edges[i].info)) continue;
        VertexId s = impl_->edges[i].src, d = impl_->edges[i].dst;
        if (s != d && on_path_subgraph(impl_->vertices[s]) && on_path_subgraph(impl_->vertices[d])) boost::add_edge(s, d, u);
    }
    std::vector<Undirected::vertex_descriptor> points;
    boost::articulation_points(u, std::back_inserter(points));
    std::vector<VertexId> out(points.begin(), points.end());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<VertexId> TopologyGraph::dominator_tree(const std::vector<VertexId> &roots) const
{
    using Directed = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
    const size_t n = vertex_count();
    std::vector<VertexId> idom(n, kNoVertex);
    std::vector<VertexId> starts;
    for (VertexId r : roots)
        if (r < n) starts.push_back(r);
    if (starts.empty()) return idom;
    // One root: itself. Several: a virtual root (vertex n) before them all.
    const bool virtual_root = starts.size() > 1;
    Directed d(n + (virtual_root ? 1 : 0));
    for (size_t i = 0; i < impl_->edges.size(); ++i) {
        if (!path_edge(impl_->edges[i].info)) continue;
        VertexId s = impl_->edges[i].src, t = impl_->edges[i].dst;
        if (s != t && on_path_subgraph(impl_->vertices[s]) && on_path_subgraph(impl_->vertices[t])) boost::add_edge(s, t, d);
    }
    if (virtual_root)
        for (VertexId r : starts) boost::add_edge(n, r, d);
    using Vertex = Directed::vertex_descriptor;
    std::vector<Vertex> dom(boost::num_vertices(d), boost::graph_traits<Directed>::null_vertex());
    auto index = boost::get(boost::vertex_index, d);
    auto dom_map = boost::make_iterator_property_map(dom.begin(), index);
    boost::lengauer_tarjan_dominator_tree(d, boost::vertex(virtual_root ? n : starts[0], d), dom_map);
    for (size_t v = 0; v < n; ++v)
        if (dom[v] != boost::graph_traits<Directed>::null_vertex() && dom[v] < n) idom[v] = static_cast<VertexId>(dom[v]);
    return idom;
}

} // namespace pathmap::graph
