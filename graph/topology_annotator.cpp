// Role votes, cluster detection and alias sets over a finished builder.
#include "graph/topology_annotator.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <numeric>
#include <set>

#include "pathmap/ipv4.h"

namespace pathmap::graph {

namespace {

struct DisjointSets {
    std::vector<VertexId> parent;
    std::vector<char> member;
    explicit DisjointSets(size_t n) : parent(n), member(n, 0) { std::iota(parent.begin(), parent.end(), 0); }
    VertexId find(VertexId v)
    {
        while (parent[v] != v) v = parent[v] = parent[parent[v]];
        return v;
    }
    void unite(VertexId a, VertexId b)
    {
        member[a] = member[b] = 1;
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

ClusterKind cluster_kind_for(HopRole r)
{
    switch (r) {
    case HopRole::cgnat: return ClusterKind::cgnat;
    case HopRole::private_backbone: return ClusterKind::private_backbone;
    case HopRole::mpls_backbone: return ClusterKind::mpls_backbone;
    default: return ClusterKind::none;
    }
}

const char *cluster_prefix(ClusterKind k)
{
    switch (k) {
    case ClusterKind::cgnat: return "cgnat";
    case ClusterKind::private_backbone: return "backbone";
    case ClusterKind::mpls_backbone: return "mpls";
    case ClusterKind::ecmp_diamond: return "ecmp";
    case ClusterKind::same_as: return "as";
    default: return "cluster";
    }
}

bool hop_vertex(const VertexInfo &v) { return v.kind == VertexKind::interface || v.kind == VertexKind::anonymous; }

// Link successors that are hops (interfaces or anonymous).
std::vector<VertexId> successors(const TopologyGraph &g, VertexId v)
{
    std::vector<VertexId> out;
    for (const EdgeRef &e : g.out_edges(v))
        if (e.info->kind == EdgeKind::link && hop_vertex(g.vertex(e.dst))) out.push_back(e.dst);
    return out;
}

// Diamonds: a vertex whose paths split over several next hops that meet again
// within a few hops (per-flow load balancing, as MDA finds it).
void find_diamonds(const TopologyGraph &g, std::vector<std::vector<VertexId>> &out)
{
    constexpr int kMaxDepth = 4;
    constexpr size_t kMaxBranches = 16;
    size_t n = g.vertex_count();
    for (VertexId d = 0; d < n; ++d) {
        const VertexInfo &dv = g.vertex(d);
        if (!hop_vertex(dv) && dv.kind != VertexKind::vantage) continue;
        std::vector<VertexId> succ = successors(g, d);
        if (succ.size() < 2 || succ.size() > kMaxBranches) continue;
        // Forward BFS from each branch; depth and parent per reached vertex.
        std::vector<std::map<VertexId, std::pair<int, VertexId>>> reach(succ.size());
        for (size_t b = 0; b < succ.size(); ++b) {
            std::deque<VertexId> q{succ[b]};
            reach[b][succ[b]] = {0, kNoVertex};
            while (!q.empty()) {
                VertexId u = q.front();
                q.pop_front();
                int depth = reach[b][u].first;
                if (depth >= kMaxDepth) continue;
                for (VertexId w : successors(g, u))
                    if (w != d && !reach[b].count(w)) {
                        reach[b][w] = {depth + 1, u};
                        q.push_back(w);
                    }
            }
        }
        // The nearest vertex reached by at least two branches closes the diamond.
        VertexId close = kNoVertex;
        int best = 1 << 30;
        for (size_t b = 0; b < succ.size(); ++b)
            for (auto &[w, dp] : reach[b]) {
                int total = 0, branches = 0;
                for (size_t c = 0; c < succ.size(); ++c) {
                    auto it = reach[c].find(w);
                    if (it != reach[c].end()) {
                        total += it->second.first;
                        ++branches;
                    }
                }
                if (branches >= 2 && (total < best || (total == best && w < close))) {
                    best = total;
                    close = w;
                }
            }
        if (close == kNoVertex) continue;
        std::set<VertexId> members{d, close};
        for (size_t b = 0; b < succ.size(); ++b) {
            auto it = reach[b].find(close);
            if (it == reach[b].end()) continue;
            for (VertexId u = it->second.second; u != kNoVertex; u = reach[b][u].second) members.insert(u);
        }
        if (members.size() >= 4) out.emplace_back(members.begin(), members.end());
    }
}

} // namespace

Annotation annotate_topology(TopologyBuilder &builder, const HopClassifier &classifier, const RuleSet &rules)
{
    TopologyGraph &g = builder.graph();
    size_t n = g.vertex_count();
    std::vector<std::array<uint32_t, kHopRoleCount>> votes(n, std::array<uint32_t, kHopRoleCount>{});
    std::vector<double> rel_sum(n, 0.0);
    std::vector<std::string> evidence(n), region(n);
    std::vector<HopRole> evidence_role(n, HopRole::unknown);
    std::vector<int64_t> asn(n, 0);
    std::array<DisjointSets, 3> spans{DisjointSets(n), DisjointSets(n), DisjointSets(n)};
    DisjointSets same_as(n);

    for (size_t pi = 0; pi < builder.paths().size(); ++pi) {
        TraceProfile prof = classifier.classify(pi);
        for (size_t i = 0; i < prof.hops.size(); ++i) {
            const HopProfile &h = prof.hops[i];
            ++votes[h.vertex][static_cast<int>(h.role)];
            rel_sum[h.vertex] += h.reliability;
            if (evidence[h.vertex].empty() && !h.evidence.empty()) {
                evidence[h.vertex] = h.evidence;
                evidence_role[h.vertex] = h.role;
            }
            if (!h.region.empty() && region[h.vertex].empty()) region[h.vertex] = h.region;
            if (h.asn) asn[h.vertex] = h.asn;
            ClusterKind k = cluster_kind_for(h.role);
            if (k != ClusterKind::none) {
                auto &ds = spans[static_cast<int>(k) - 1];
                ds.member[h.vertex] = 1;
                if (i > 0 && prof.hops[i - 1].role == h.role) ds.unite(prof.hops[i - 1].vertex, h.vertex);
            }
            if (i > 0 && h.asn != 0 && prof.hops[i - 1].asn == h.asn) same_as.unite(prof.hops[i - 1].vertex, h.vertex);
        }
    }
    // Majority role per vertex; evidence is that role's rule text. A prefix
    // vertex stands for its destinations, so it takes their role too.
    for (VertexId v = 0; v < n; ++v) {
        VertexInfo &vi = g.vertex(v);
        if (!hop_vertex(vi) && vi.kind != VertexKind::prefix) continue;
        auto &vv = votes[v];
        int best = 0;
        uint32_t total = 0;
        for (int r = 0; r < kHopRoleCount; ++r) {
            total += vv[r];
            if (vv[r] > vv[best]) best = r;
        }
        vi.role = static_cast<HopRole>(best);
        const RoleInfo &ri = rules.role(vi.role);
        vi.layer = ri.layer;
        vi.scope = vi.kind == VertexKind::anonymous || (vi.kind == VertexKind::interface && vi.addr == 0)
                       ? Scope::unknown // silent, or known by name only
                   : classify_address(vi.addr) == AddrClass::public_ ? ri.scope_public
                                                                      : ri.scope_private;
        vi.region = region[v];
        vi.asn = asn[v];
        if (vi.kind == VertexKind::interface) {
            const HopClassifier::VertexFeatures &f = classifier.features(v);
            if (vi.asn == 0) vi.asn = f.asn; // also for hops no path profile reached
            if (vi.asn == f.asn && !f.as_name.empty()) vi.as_name = f.as_name;
            if (!f.country.empty()) vi.country = f.country;
        }
        vi.reliability = total ? rel_sum[v] / total : 0.0;
        // The deciding rule's words where the first path agrees with the majority.
        if (evidence_role[v] == vi.role) vi.evidence = evidence[v];
        for (size_t k = 0; k < rules.rules.size() && vi.evidence.empty(); ++k)
            if (rules.rules[k].role == vi.role) vi.evidence = rules.rules[k].evidence;
        if (vi.kind == VertexKind::anonymous && vi.evidence.empty()) vi.evidence = "no reply";
        if (vi.label.empty()) vi.label = vi.rdns.empty() ? format_ipv4(vi.addr) : vi.rdns.str();
        if (vi.kind == VertexKind::interface && vi.addr != 0) vi.label = format_ipv4(vi.addr); // else known by name only
    }

    Annotation a;
    a.primary_cluster.assign(n, -1);
    auto add_cluster = [&](ClusterKind kind, std::vector<VertexId> members, int64_t as) {
        ClusterRecord c;
        c.kind = kind;
        int count = 1;
        for (const ClusterRecord &o : a.clusters) count += o.kind == kind;
        c.id = std::string(cluster_prefix(kind)) + "-" + std::to_string(count);
        VertexInfo cv;
        cv.kind = VertexKind::cluster;
        cv.cluster_kind = kind;
        cv.label = c.id;
        cv.asn = as;
        cv.role = kind == ClusterKind::cgnat ? HopRole::cgnat
                  : kind == ClusterKind::private_backbone ? HopRole::private_backbone
                  : kind == ClusterKind::mpls_backbone ? HopRole::mpls_backbone
                                                        : HopRole::unknown;
        cv.layer = cluster_kind_name(kind);
        cv.times_seen = static_cast<uint32_t>(members.size());
        c.vertex = g.add_vertex(std::move(cv));
        for (VertexId m : members) {
            ++g.edge(m, c.vertex, EdgeKind::member_of).times_seen;
            if (a.primary_cluster[m] < 0) a.primary_cluster[m] = static_cast<int>(a.clusters.size());
        }
        c.members = std::move(members);
        c.asn = as;
        a.clusters.push_back(std::move(c));
    };
    // Spans first, so a hop's primary cluster is its CGNAT/backbone span.
    for (int k = 0; k < 3; ++k) {
        std::map<VertexId, std::vector<VertexId>> groups;
        for (VertexId v = 0; v < n; ++v)
            if (spans[k].member[v]) groups[spans[k].find(v)].push_back(v);
        for (auto &[root, members] : groups) add_cluster(static_cast<ClusterKind>(k + 1), members, 0);
    }
    std::vector<std::vector<VertexId>> diamonds;
    find_diamonds(g, diamonds);
    for (auto &d : diamonds) add_cluster(ClusterKind::ecmp_diamond, d, 0);
    {
        std::map<VertexId, std::vector<VertexId>> groups;
        for (VertexId v = 0; v < n; ++v)
            if (same_as.member[v]) groups[same_as.find(v)].push_back(v);
        for (auto &[root, members] : groups)
            if (members.size() >= 2) add_cluster(ClusterKind::same_as, members, asn[members.front()]);
    }
    // Router alias sets from names like "be1.r4.fra1.example.net".
    if (rules.alias_from_rdns) {
        std::map<std::string, std::vector<VertexId>> by_router;
        std::smatch m;
        for (VertexId v = 0; v < n; ++v) {
            const VertexInfo &vi = g.vertex(v);
            if (vi.kind == VertexKind::interface && !vi.rdns.empty() && std::regex_match(vi.rdns.str(), m, *rules.alias_from_rdns))
                by_router[m[1].str()].push_back(v);
        }
        for (auto &[name, members] : by_router) {
            if (members.size() < 2) continue;
            VertexInfo rv;
            rv.kind = VertexKind::router;
            rv.label = name;
            rv.rdns = name;
            rv.role = g.vertex(members.front()).role;
            rv.evidence = "interfaces share the router part of their rDNS names";
            rv.times_seen = static_cast<uint32_t>(members.size());
            VertexId r = g.add_vertex(std::move(rv));
            for (VertexId mv : members) ++g.edge(mv, r, EdgeKind::member_of).times_seen;
            ++a.routers;
        }
    }
    return a;
}

void attach_clusters(TraceProfile &profile, const Annotation &a)
{
    for (HopProfile &h : profile.hops) {
        if (h.vertex < a.primary_cluster.size() && a.primary_cluster[h.vertex] >= 0)
            h.cluster_id = a.clusters[a.primary_cluster[h.vertex]].id;
    }
}

} // namespace pathmap::graph
