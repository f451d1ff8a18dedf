// add_as_layer: AS vertices, in_as and as_link edges.
#include "graph/as_layer.h"

#include <map>
#include <tuple>
#include <vector>

namespace pathmap::graph {

namespace {
bool in_known_as(const VertexInfo &v) { return v.kind == VertexKind::interface && v.asn != 0; }
} // namespace

bool is_as_boundary(const TopologyGraph &g, const EdgeRef &e)
{
    if (e.info->kind == EdgeKind::as_link) return true;
    if (e.info->kind != EdgeKind::link) return false;
    const VertexInfo &a = g.vertex(e.src), &b = g.vertex(e.dst);
    return in_known_as(a) && in_known_as(b) && a.asn != b.asn;
}

AsLayerSummary add_as_layer(TopologyGraph &g)
{
    AsLayerSummary s;
    std::map<int64_t, VertexId> as_vertex;
    const VertexId n = static_cast<VertexId>(g.vertex_count());
    for (VertexId v = 0; v < n; ++v) {
        if (!in_known_as(g.vertex(v))) continue;
        // A copy: add_vertex may move every vertex.
        const int64_t asn = g.vertex(v).asn;
        auto it = as_vertex.find(asn);
        if (it == as_vertex.end()) {
            VertexInfo av;
            av.kind = VertexKind::autonomous_system;
            av.asn = asn;
            av.label = "AS" + std::to_string(asn);
            av.as_name = g.vertex(v).as_name;
            av.layer = "as";
            av.evidence = "interfaces whose address the AS announces";
            it = as_vertex.emplace(asn, g.add_vertex(std::move(av))).first;
        }
        VertexInfo &av = g.vertex(it->second);
        if (av.as_name.empty()) av.as_name = g.vertex(v).as_name;
        ++av.times_seen;
        ++g.edge(v, it->second, EdgeKind::in_as).times_seen;
        ++s.interfaces;
    }
    // Links first collected: adding edges while walking them is not allowed.
    std::vector<std::tuple<int64_t, int64_t, uint32_t, uint32_t>> crossings;
    g.for_each_edge([&](const EdgeRef &e) {
        if (!is_as_boundary(g, e)) return;
        crossings.emplace_back(g.vertex(e.src).asn, g.vertex(e.dst).asn, e.info->times_seen, e.info->flows);
    });
    for (const auto &[from, to, seen, flows] : crossings) {
        EdgeInfo &e = g.edge(as_vertex.at(from), as_vertex.at(to), EdgeKind::as_link);
        e.times_seen += seen;
        e.flows += flows;
    }
    s.ases = as_vertex.size();
    s.boundary_links = crossings.size();
    return s;
}

} // namespace pathmap::graph
