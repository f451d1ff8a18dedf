// Chokepoints from the dominator tree rooted at the vantage.
#include "graph/topology_analysis.h"

#include <algorithm>

namespace pathmap::graph {

std::vector<Chokepoint> find_chokepoints(const TopologyBuilder &b)
{
    const TopologyGraph &g = b.graph();
    size_t n = g.vertex_count();
    std::vector<VertexId> idom = g.dominator_tree(b.vantage());
    std::vector<size_t> behind(n, 0);
    for (VertexId v = 0; v < n; ++v) {
        if (g.vertex(v).kind != VertexKind::prefix) continue;
        // Every strict dominator of the prefix is a single point of failure for it.
        for (VertexId d = idom[v]; d != kNoVertex && d != b.vantage(); d = idom[d]) ++behind[d];
    }
    std::vector<VertexId> ap = g.articulation_points();
    std::vector<Chokepoint> out;
    for (VertexId v = 0; v < n; ++v) {
        const VertexInfo &vi = g.vertex(v);
        if (behind[v] == 0 || (vi.kind != VertexKind::interface && vi.kind != VertexKind::anonymous)) continue;
        out.push_back({v, vi.label.empty() ? std::to_string(v) : vi.label, vi.role, behind[v],
                       std::binary_search(ap.begin(), ap.end(), v)});
    }
    std::sort(out.begin(), out.end(), [](const Chokepoint &a, const Chokepoint &c) {
        // Named hops before silent ones at equal counts: they are what a user can act on.
        bool a_anon = a.label.rfind('*', 0) == 0, c_anon = c.label.rfind('*', 0) == 0;
        if (a.prefixes_behind != c.prefixes_behind) return a.prefixes_behind > c.prefixes_behind;
        return a_anon != c_anon ? c_anon : a.label < c.label;
    });
    return out;
}

std::vector<LinkLoad> top_links(const TopologyGraph &g, size_t n)
{
    std::vector<LinkLoad> all;
    g.for_each_edge([&](const EdgeRef &e) {
        if (e.info->kind != EdgeKind::link) return;
        all.push_back({e.src, e.dst, g.vertex(e.src).label, g.vertex(e.dst).label, e.info->times_seen});
    });
    std::sort(all.begin(), all.end(), [](const LinkLoad &a, const LinkLoad &b) {
        return a.paths != b.paths ? a.paths > b.paths : std::tie(a.from, a.to) < std::tie(b.from, b.to);
    });
    if (all.size() > n) all.resize(n);
    return all;
}

} // namespace pathmap::graph
