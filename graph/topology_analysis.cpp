// Chokepoints from the dominator tree rooted at the vantage points.
#include "graph/topology_analysis.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace pathmap::graph {

std::vector<Chokepoint> find_chokepoints(const TopologyBuilder &b)
{
    if (!b.finished()) throw std::logic_error("find_chokepoints: TopologyBuilder::finish() was not called");
    const TopologyGraph &g = b.graph();
    size_t n = g.vertex_count();
    std::vector<VertexId> idom = g.dominator_tree(b.vantages());
    std::vector<size_t> behind(n, 0);
    for (VertexId v = 0; v < n; ++v) {
        if (g.vertex(v).kind != VertexKind::prefix) continue;
        // Every strict dominator of the prefix is a single point of failure for it.
        for (VertexId d = idom[v]; d != kNoVertex && !b.is_vantage(d); d = idom[d]) ++behind[d];
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

std::vector<LinkLoad> top_links(const TopologyBuilder &b, size_t n)
{
    if (!b.finished()) throw std::logic_error("top_links: TopologyBuilder::finish() was not called");
    const TopologyGraph &g = b.graph();
    struct Key {
        VertexId src, dst;
        uint8_t silent;
        bool operator<(const Key &o) const { return std::tie(src, dst, silent) < std::tie(o.src, o.dst, o.silent); }
    };
    std::map<Key, uint32_t> counts;
    for (const PathRecord &rec : b.paths()) {
        if (rec.hop_count == 0) continue;
        // The first answer joins the vantage only when the trace probed from TTL 1.
        VertexId prev = b.hops()[rec.first_hop].ttl == 1 ? rec.vantage : kNoVertex;
        uint8_t silent = 0;
        for (uint32_t i = 0; i < rec.hop_count; ++i) {
            const PathHop &h = b.hops()[rec.first_hop + i];
            // A silent slot stands for an anonymous vertex, or for the router
            // other traces saw there (TopologyBuilder::finish): only the first is silence.
            if (!h.responded() && g.vertex(h.vertex).kind != VertexKind::interface) {
                ++silent;
                continue;
            }
            if (prev != kNoVertex && g.vertex(h.vertex).kind == VertexKind::interface) ++counts[{prev, h.vertex, silent}];
            prev = h.vertex;
            silent = 0;
        }
    }
    std::vector<LinkLoad> all;
    all.reserve(counts.size());
    for (const auto &[k, c] : counts)
        all.push_back({k.src, k.dst, g.vertex(k.src).label, g.vertex(k.dst).label, c, k.silent});
    std::sort(all.begin(), all.end(), [](const LinkLoad &a, const LinkLoad &c) {
        return a.paths != c.paths ? a.paths > c.paths : std::tie(a.from, a.to, a.silent_between) < std::tie(c.from, c.to, c.silent_between);
    });
    if (all.size() > n) all.resize(n);
    return all;
}

} // namespace pathmap::graph
