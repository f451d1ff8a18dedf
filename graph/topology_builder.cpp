// Incremental graph building: vertices and link edges per reply, anonymous
// hops merged by their neighbours, prefixes reached per trace.
#include "graph/topology_builder.h"

#include <cmath>
#include <stdexcept>

#include "pathmap/ipv4.h"

namespace pathmap::graph {

TopologyBuilder::TopologyBuilder(BuilderConfig cfg) : cfg_(std::move(cfg))
{
    VertexInfo v;
    v.kind = VertexKind::vantage;
    v.label = cfg_.vantage_label;
    v.scope = Scope::local;
    vantage_ = graph_.add_vertex(std::move(v));
}

void TopologyBuilder::reserve(size_t traces, size_t hops)
{
    paths_.reserve(traces);
    hops_.reserve(hops);
    // Growing the vertex and edge stores by doubling moved every vertex several
    // times in a 10M-reply build; sweeps have about one new vertex per 8 replies
    // and one new edge per 2 (the tail of each path is its own); the edge store
    // gets 1/8 more, since doubling it at the end would raise the peak RSS most.
    graph_.reserve(hops / 8 + 1024, hops / 2 + hops / 16 + 1024);
}

VertexId TopologyBuilder::prefix_vertex(uint32_t dst)
{
    Ipv4Prefix p{.addr = dst & Ipv4Prefix{.addr = 0, .len = cfg_.prefix_len}.mask(), .len = cfg_.prefix_len};
    uint32_t found = prefixes_.find(p.addr);
    if (found != detail::FlatIndex::kAbsent) return found;
    VertexInfo v;
    v.kind = VertexKind::prefix;
    v.addr = p.addr;
    v.label = format_prefix(p);
    VertexId id = graph_.add_vertex(std::move(v));
    prefixes_.insert(p.addr, id);
    return id;
}

VertexId TopologyBuilder::anonymous_vertex(VertexId prev, VertexId next, uint8_t offset)
{
    AnonymousKey key{prev, next, offset};
    auto it = anonymous_.find(key);
    if (it != anonymous_.end()) return it->second;
    VertexInfo v;
    v.kind = VertexKind::anonymous;
    v.label = "*" + std::to_string(anonymous_.size() + 1);
    VertexId id = graph_.add_vertex(std::move(v));
    anonymous_.emplace(key, id);
    return id;
}

void TopologyBuilder::set_rdns(VertexId v, const std::string &name)
{
    VertexInfo &info = graph_.vertex(v);
    if (info.rdns.empty()) info.rdns = name;
}

void TopologyBuilder::add(const Trace &t)
{
    auto dst = parse_ipv4(t.dst);
    if (!dst) throw std::invalid_argument("trace destination '" + t.dst + "' is not an IPv4 address");
    scratch_.clear();
    scratch_names_.clear();
    for (const Hop &h : t.hops) {
        Reply r{.ttl = h.ttl, .rtt_ms = static_cast<float>(h.rtt_ms),
                .reply_ttl = static_cast<uint8_t>(std::clamp(h.reply_ttl, 0, 255)),
                .quoted_ttl = tunnel_quoted_ttl(h.icmp_type, h.quoted_ttl), .mpls = !h.mpls_labels.empty()};
        if (!h.addr.empty()) {
            auto a = parse_ipv4(h.addr);
            if (!a) throw std::invalid_argument("trace to " + t.dst + ": hop address '" + h.addr + "' is not IPv4");
            r.addr = *a;
            scratch_names_.push_back({h.ttl, h.rdns ? std::string_view(*h.rdns) : std::string_view()});
        }
        scratch_.push_back(r);
    }
    add_path(*dst, t.flow_id, t.reached, scratch_.data(), scratch_.size(), scratch_names_.data(), scratch_names_.size());
}

void TopologyBuilder::add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n,
                               const HopName *names, size_t n_names)
{
    size_t before = hops_.size();
    add_path(dst, flow_id, reached, hops, n);
    attach_names(before, names, n_names);
}

void TopologyBuilder::attach_names(size_t first_hop, const HopName *names, size_t n)
{
    // rDNS names travel with the trace; attach them to the vertices just used.
    size_t k = first_hop;
    for (size_t i = 0; i < n; ++i) {
        while (k < hops_.size() && hops_[k].ttl != names[i].ttl) ++k;
        if (k == hops_.size()) break;
        if (!names[i].name.empty()) {
            VertexInfo &info = graph_.vertex(hops_[k].vertex);
            if (info.rdns.empty()) info.rdns = names[i].name;
        }
    }
}

void TopologyBuilder::add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *in, size_t n)
{
    PathRecord rec{.dst = dst, .flow_id = flow_id, .reached = reached,
                   .first_hop = static_cast<uint32_t>(hops_.size())};
    // Resolve responding vertices first: anonymous vertices need the next one.
    size_t last_responding = n;
    for (size_t i = n; i-- > 0;)
        if (in[i].addr != 0) {
            last_responding = i;
            break;
        }
    if (last_responding == n) { // nothing answered: record the path, no vertices
        paths_.push_back(rec);
        return;
    }
    // Memory-bound: each reply's vertex and edge sit at random places in
    // hundreds of MB. Ask for them all first, in passes, so the loads overlap;
    // vertices are still created below in path order (ids do not depend on this).
    constexpr size_t kPrefetchHops = 64;
    size_t ahead = std::min(last_responding + 1, kPrefetchHops);
    for (size_t i = 0; i < ahead; ++i)
        if (in[i].addr != 0) graph_.prefetch_interface(in[i].addr);
    VertexId known[kPrefetchHops];
    for (size_t i = 0; i < ahead; ++i) {
        known[i] = in[i].addr != 0 ? graph_.peek_interface(in[i].addr) : kNoVertex;
        VertexId prev = i == 0 ? vantage_ : known[i - 1];
        if (known[i] != kNoVertex && prev != kNoVertex) graph_.prefetch_edge(prev, known[i], EdgeKind::link);
    }
    for (size_t i = 0; i < ahead; ++i) {
        VertexId prev = i == 0 ? vantage_ : known[i - 1];
        if (known[i] != kNoVertex && prev != kNoVertex) graph_.prefetch_edge_record(prev, known[i], EdgeKind::link);
    }
    VertexId prev_resp = vantage_;
    uint8_t prev_ttl = 0;
    VertexId prev_vertex = vantage_;
    float prev_rtt = 0.0f;
    bool prev_answered = false;
    auto link = [&](VertexId from, VertexId to, uint8_t near_ttl, float delta, bool both_answered) {
        EdgeInfo &e = graph_.edge(from, to, EdgeKind::link);
        ++e.times_seen;
        ++e.flows;
        e.min_ttl = std::min(e.min_ttl, near_ttl);
        e.max_ttl = std::max(e.max_ttl, near_ttl);
        if (both_answered) e.min_rtt_delta_ms = std::min(e.min_rtt_delta_ms, delta);
    };
    for (size_t i = 0; i <= last_responding; ++i) {
        const Reply &r = in[i];
        if (r.ttl == 0 || r.ttl <= prev_ttl) continue; // unsorted or duplicate TTL: keep the first
        if (r.addr == 0) continue;                      // silent entries are filled from the gap below
        VertexId v = graph_.interface_vertex(r.addr);
        // Silent TTLs between the previous responding hop and this one.
        for (uint8_t gap = static_cast<uint8_t>(prev_ttl + 1); gap < r.ttl; ++gap) {
            VertexId a = anonymous_vertex(prev_resp, v, static_cast<uint8_t>(gap - prev_ttl));
            VertexInfo &ai = graph_.vertex(a);
            ++ai.times_seen;
            ++ai.traces;
            ai.min_ttl = std::min(ai.min_ttl, gap);
            ai.max_ttl = std::max(ai.max_ttl, gap);
            link(prev_vertex, a, static_cast<uint8_t>(gap - 1), 0.0f, false);
            hops_.push_back(PathHop{.vertex = a, .ttl = gap});
            prev_vertex = a;
            prev_answered = false;
        }
        VertexInfo &vi = graph_.vertex(v);
        double rtt = r.rtt_ms;
        if (vi.times_seen == 0) vi.label = format_ipv4(r.addr);
        if (vi.times_seen == 0 || rtt < vi.rtt_min_ms) vi.rtt_min_ms = rtt;
        ++vi.times_seen;
        ++vi.traces;
        vi.rtt_sum_ms += rtt;
        vi.rtt_sumsq_ms += rtt * rtt;
        vi.min_ttl = std::min(vi.min_ttl, r.ttl);
        vi.max_ttl = std::max(vi.max_ttl, r.ttl);
        link(prev_vertex, v, static_cast<uint8_t>(r.ttl - 1), r.rtt_ms - prev_rtt, prev_answered);
        uint8_t flags = PathHop::kResponded | (r.mpls ? PathHop::kMpls : 0) | (r.addr == dst ? PathHop::kDestination : 0);
        hops_.push_back(PathHop{.vertex = v, .rtt_ms = r.rtt_ms, .ttl = r.ttl, .reply_ttl = r.reply_ttl,
                                .quoted_ttl = r.quoted_ttl, .flags = flags});
        prev_resp = prev_vertex = v;
        prev_ttl = r.ttl;
        prev_rtt = r.rtt_ms;
        prev_answered = true;
    }
    rec.reached = reached || in[last_responding].addr == dst;
    rec.hop_count = static_cast<uint32_t>(hops_.size() - rec.first_hop);
    if (rec.reached) {
        rec.prefix = prefix_vertex(dst);
        EdgeInfo &e = graph_.edge(prev_resp, rec.prefix, EdgeKind::reaches);
        ++e.times_seen;
        ++e.flows;
        e.min_ttl = std::min(e.min_ttl, prev_ttl);
        e.max_ttl = std::max(e.max_ttl, prev_ttl);
        ++graph_.vertex(rec.prefix).times_seen;
    }
    paths_.push_back(rec);
}

} // namespace pathmap::graph
