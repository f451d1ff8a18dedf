// Incremental graph building: vertices and link edges per reply, anonymous
// hops merged by their neighbours, prefixes reached per trace.
#include "graph/topology_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "graph/detail/edge_snapshot.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

TopologyBuilder::TopologyBuilder(BuilderConfig cfg) : cfg_(std::move(cfg))
{
    VertexInfo v;
    v.kind = VertexKind::vantage;
    v.label = cfg_.vantage_label;
    v.scope = Scope::local;
    vantage_ = graph_.add_vertex(std::move(v));
    vantages_.push_back(vantage_);
}

VertexId TopologyBuilder::vantage_vertex(const std::string &id)
{
    const std::string &key = id.empty() ? cfg_.vantage_label : id;
    auto [it, fresh] = named_vantages_.try_emplace(key, kNoVertex);
    if (!fresh) return it->second;
    // An all-digit id is a RIPE Atlas probe number: say so in the label.
    const bool number = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::string label = id.empty() ? cfg_.vantage_label : number ? "probe " + id : id;
    if (named_vantages_.size() == 1) {
        // The first vantage point met takes the vertex made up front, so a
        // file of named vantages leaves no unused "vantage" vertex behind.
        graph_.vertex(vantage_).label = std::move(label);
        return it->second = vantage_;
    }
    VertexInfo v;
    v.kind = VertexKind::vantage;
    v.label = std::move(label);
    v.scope = Scope::local;
    it->second = graph_.add_vertex(std::move(v));
    vantages_.push_back(it->second);
    return it->second;
}

VertexId TopologyBuilder::default_vantage()
{
    if (default_vantage_ == kNoVertex) default_vantage_ = vantage_vertex({});
    return default_vantage_;
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

TopologyBuilder::PrefixSlot &TopologyBuilder::prefix_slot(uint32_t dst)
{
    const uint32_t base = dst & Ipv4Prefix{.addr = 0, .len = cfg_.prefix_len}.mask();
    uint32_t next = static_cast<uint32_t>(prefix_slots_.size());
    uint32_t idx = prefixes_.insert(base, next);
    if (idx == next) prefix_slots_.emplace_back();
    return prefix_slots_[idx];
}

VertexId TopologyBuilder::prefix_vertex(uint32_t dst)
{
    PrefixSlot &slot = prefix_slot(dst);
    if (slot.vertex != kNoVertex) return slot.vertex;
    Ipv4Prefix p{.addr = dst & Ipv4Prefix{.addr = 0, .len = cfg_.prefix_len}.mask(), .len = cfg_.prefix_len};
    VertexInfo v;
    v.kind = VertexKind::prefix;
    v.addr = p.addr;
    v.label = format_prefix(p);
    VertexId id = graph_.add_vertex(std::move(v));
    prefix_slot(dst).vertex = id; // add_vertex does not touch the slots
    return id;
}

void TopologyBuilder::count_host(uint32_t dst, bool reached, float rtt_ms)
{
    PrefixStats &s = prefix_slot(dst).stats;
    detail::FlatIndex &seen = reached ? hosts_reached_ : hosts_probed_;
    const uint32_t next = static_cast<uint32_t>(seen.size());
    if (seen.insert(dst, next) == next) ++(reached ? s.hosts_reached : s.hosts_probed);
    if (reached && rtt_ms > 0.0f) {
        s.rtt_min_ms = std::min(s.rtt_min_ms, rtt_ms);
        s.rtt_max_ms = std::max(s.rtt_max_ms, rtt_ms);
    }
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

VertexId TopologyBuilder::named_vertex(std::string_view name)
{
    auto it = named_.find(std::string(name));
    if (it != named_.end()) return it->second;
    VertexInfo v;
    v.kind = VertexKind::interface; // it answered; only its address is unknown (addr stays 0)
    v.label = std::string(name);
    v.rdns = std::string(name);
    VertexId id = graph_.add_vertex(std::move(v));
    named_.emplace(std::string(name), id);
    return id;
}

void TopologyBuilder::set_rdns(VertexId v, const std::string &name)
{
    VertexInfo &info = graph_.vertex(v);
    if (info.rdns.empty()) info.rdns = name;
}

void TopologyBuilder::add(const Trace &t)
{
    // No destination named (Trace::dst ""): 0, which no hop address equals.
    auto dst = t.dst.empty() ? std::optional<uint32_t>(0) : parse_ipv4(t.dst);
    if (!dst) throw std::invalid_argument("trace destination '" + t.dst + "' is not an IPv4 address");
    scratch_.clear();
    scratch_names_.clear();
    scratch_named_.clear();
    bool any_named = false;
    for (const Hop &h : t.hops) {
        Reply r{.ttl = h.ttl,
                .rtt_ms = h.rtt_known ? static_cast<float>(h.rtt_ms) : std::numeric_limits<float>::quiet_NaN(),
                .reply_ttl = static_cast<uint8_t>(std::clamp(h.reply_ttl, 0, 255)),
                .quoted_ttl = tunnel_quoted_ttl(h.icmp_type, h.quoted_ttl), .mpls = !h.mpls_labels.empty(),
                .distance = unreachable_distance(h.icmp_type, h.ttl, h.quoted_ttl)};
        if (!h.addr.empty()) {
            auto a = parse_ipv4(h.addr);
            if (!a) throw std::invalid_argument("trace to " + t.dst + ": hop address '" + h.addr + "' is not IPv4");
            r.addr = *a;
            scratch_names_.push_back({h.ttl, h.rdns ? std::string_view(*h.rdns) : std::string_view()});
        }
        const bool named = h.addr.empty() && h.rdns && !h.rdns->empty();
        scratch_named_.push_back(named ? std::string_view(*h.rdns) : std::string_view());
        any_named = any_named || named;
        scratch_.push_back(r);
    }
    add_path_impl(t.vantage_id.empty() ? default_vantage() : vantage_vertex(t.vantage_id), *dst, t.flow_id, t.reached, scratch_.data(), scratch_.size(), scratch_names_.data(),
                  scratch_names_.size(), any_named ? scratch_named_.data() : nullptr);
}

void TopologyBuilder::add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n,
                               const HopName *names, size_t n_names)
{
    add_path_impl(default_vantage(), dst, flow_id, reached, hops, n, names, n_names, nullptr);
}

void TopologyBuilder::add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n)
{
    add_path_impl(default_vantage(), dst, flow_id, reached, hops, n, nullptr, 0, nullptr);
}

void TopologyBuilder::add_path_impl(VertexId vantage, uint32_t dst, uint16_t flow_id, bool reached, const Reply *in,
                                    size_t n, const HopName *names, size_t n_names, const std::string_view *named)
{
    // An answer: an address, or a name without one.
    auto answered = [&](size_t i) { return in[i].addr != 0 || (named && !named[i].empty()); };
    PathRecord rec{.dst = dst, .vantage = vantage, .flow_id = flow_id, .reached = reached,
                   .first_hop = static_cast<uint32_t>(hops_.size())};
    if (dst == 0) reached = false; // the file named no destination: nothing to reach, no prefix
    else count_host(dst, false, 0.0f);
    // Trailing silence ends the path: only entries up to the last answer matter.
    size_t last_responding = n;
    for (size_t i = n; i-- > 0;)
        if (answered(i)) {
            last_responding = i;
            break;
        }
    const bool fold = !cfg_.host_vertices;
    if (last_responding == n) { // nothing answered: record the path, no vertices
        if (reached) {
            rec.prefix = prefix_vertex(dst);
            count_host(dst, true, 0.0f);
        }
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
        VertexId prev = i == 0 ? vantage : known[i - 1];
        if (known[i] != kNoVertex && prev != kNoVertex) graph_.prefetch_edge(prev, known[i], EdgeKind::link);
    }
    for (size_t i = 0; i < ahead; ++i) {
        VertexId prev = i == 0 ? vantage : known[i - 1];
        if (known[i] != kNoVertex && prev != kNoVertex) graph_.prefetch_edge_record(prev, known[i], EdgeKind::link);
    }
    VertexId prev_resp = vantage;    // last answered vertex (the vantage answers at TTL 0)
    uint8_t prev_ttl = 0;            // its distance
    VertexId prev_vertex = vantage;  // last vertex on the path (answered or anonymous)
    uint8_t prev_vertex_ttl = 0;
    uint8_t last_probe_ttl = 0;      // entries must come in rising TTL order
    float prev_rtt = 0.0f;
    bool prev_answered = false;      // RTT deltas only between two answers
    bool dst_answered = false;
    size_t silent_from = 0, answer_no = 0;
    auto link = [&](VertexId from, VertexId to, EdgeKind kind, uint8_t near_ttl, uint8_t gap, float delta,
                    bool both_answered) { link_edge(from, to, kind, near_ttl, gap, delta, both_answered); };
    for (size_t i = 0; i <= last_responding; ++i) {
        const Reply &r = in[i];
        const HopName *name = nullptr;
        if (r.addr != 0 && names && answer_no < n_names) name = &names[answer_no];
        answer_no += r.addr != 0;
        if (r.ttl == 0 || r.ttl <= last_probe_ttl) continue; // unsorted or duplicate TTL: keep the first
        last_probe_ttl = r.ttl;
        if (!answered(i)) continue; // probed and silent: placed when the next answer is known
        const bool by_name = r.addr == 0;
        // An unreachable that ended the trace sits at its quoted distance when
        // that lies between the previous answer and its probe TTL.
        const uint8_t place =
            i == last_responding && r.distance && r.distance < r.ttl && r.distance > prev_ttl ? r.distance : r.ttl;
        const bool is_dst = !by_name && r.addr == dst;
        const bool folded = is_dst && fold;
        const VertexId v = folded ? prefix_vertex(dst) : by_name ? named_vertex(named[i]) : graph_.interface_vertex(r.addr);
        // Probed, silent TTLs between the previous answer and this one. Which
        // vertex stands for them depends on what every trace saw, so finish()
        // places them (silent_runs_); the path keeps their slots.
        const uint32_t run_first = static_cast<uint32_t>(hops_.size());
        uint8_t run_count = 0;
        for (size_t j = silent_from; j < i; ++j) {
            const uint8_t gap_ttl = in[j].ttl;
            if (answered(j) || gap_ttl <= prev_vertex_ttl || gap_ttl >= place) continue;
            hops_.push_back(PathHop{.vertex = kNoVertex, .ttl = gap_ttl});
            prev_vertex_ttl = gap_ttl;
            ++run_count;
        }
        silent_from = i + 1;
        if (run_count) {
            silent_runs_.push_back(SilentRun{.first_hop = run_first, .count = run_count, .from = prev_resp,
                                             .from_ttl = prev_ttl, .to = v, .to_ttl = place, .to_destination = is_dst});
        } else {
            const uint8_t gap = static_cast<uint8_t>(place - prev_vertex_ttl - 1);
            if (prev_vertex == vantage && gap > 0)
                pending_starts_.push_back({v, gap, vantage}); // never probed below: finish() decides
            else
                link(prev_vertex, v, folded ? EdgeKind::reaches : EdgeKind::link, prev_vertex_ttl, gap, r.rtt_ms - prev_rtt,
                     prev_answered && !std::isnan(r.rtt_ms) && !std::isnan(prev_rtt));
            if (is_dst && gap == 0 && prev_vertex != vantage && r.reply_ttl)
                direct_destinations_.insert(uint64_t{prev_vertex} << 8 | r.reply_ttl);
        }
        VertexInfo &vi = graph_.vertex(v);
        if (folded) {
            ++vi.times_seen;
            ++vi.traces;
            vi.min_ttl = std::min(vi.min_ttl, place);
            vi.max_ttl = std::max(vi.max_ttl, place);
            count_host(dst, true, r.rtt_ms);
        } else {
            const double rtt = r.rtt_ms;
            if (vi.times_seen == 0 && !by_name) vi.label = format_ipv4(r.addr);
            ++vi.times_seen;
            ++vi.traces;
            if (!std::isnan(rtt)) { // an unmeasured RTT is not 0 ms
                if (vi.rtt_samples == 0 || rtt < vi.rtt_min_ms) vi.rtt_min_ms = rtt;
                ++vi.rtt_samples;
                vi.rtt_sum_ms += rtt;
                vi.rtt_sumsq_ms += rtt * rtt;
            }
            vi.min_ttl = std::min(vi.min_ttl, place);
            vi.max_ttl = std::max(vi.max_ttl, place);
            if (name && !name->name.empty() && vi.rdns.empty()) vi.rdns = name->name;
        }
        uint8_t flags = PathHop::kResponded | (r.mpls ? PathHop::kMpls : 0) | (is_dst ? PathHop::kDestination : 0);
        hops_.push_back(PathHop{.vertex = v, .rtt_ms = r.rtt_ms, .ttl = place, .reply_ttl = r.reply_ttl,
                                .quoted_ttl = r.quoted_ttl, .flags = flags});
        prev_resp = prev_vertex = v;
        prev_ttl = prev_vertex_ttl = place;
        prev_rtt = r.rtt_ms;
        prev_answered = true;
        if (is_dst) {
            dst_answered = true;
            break; // the destination ends the path
        }
    }
    rec.reached = reached || dst_answered;
    rec.hop_count = static_cast<uint32_t>(hops_.size() - rec.first_hop);
    if (rec.reached) {
        rec.prefix = prefix_vertex(dst);
        if (!(dst_answered && fold)) {
            // A host vertex (--hosts), or a trace marked reached whose destination
            // did not answer in it: the last answer reaches the prefix.
            if (!dst_answered) count_host(dst, true, 0.0f);
            else count_host(dst, true, prev_rtt);
            link(prev_resp, rec.prefix, EdgeKind::reaches, prev_ttl, 0, 0.0f, false);
            ++graph_.vertex(rec.prefix).times_seen;
        }
    }
    paths_.push_back(rec);
}

void TopologyBuilder::link_edge(VertexId from, VertexId to, EdgeKind kind, uint8_t near_ttl, uint8_t gap, float delta,
                                bool both_answered)
{
    EdgeInfo &e = graph_.edge(from, to, kind);
    ++e.times_seen;
    ++e.flows;
    e.min_ttl = std::min(e.min_ttl, near_ttl);
    e.max_ttl = std::max(e.max_ttl, near_ttl);
    e.ttl_gap = std::min(e.ttl_gap, gap);
    if (both_answered) e.min_rtt_delta_ms = std::min(e.min_rtt_delta_ms, delta);
}

void TopologyBuilder::finish()
{
    place_silent_runs();
    for (const PrefixSlot &slot : prefix_slots_)
        if (slot.vertex != kNoVertex) graph_.set_prefix_stats(slot.vertex, slot.stats);
    if (pending_starts_.empty()) return;
    // Which vertices a vantage reaches through edges that were observed.
    const size_t n = graph_.vertex_count();
    const detail::EdgeSnapshot adj(graph_, [](const EdgeRef &e) {
        return e.info->kind == EdgeKind::link || e.info->kind == EdgeKind::reaches;
    });
    std::vector<char> reachable(n, 0);
    std::vector<VertexId> stack;
    auto mark_from = [&](VertexId s) {
        if (reachable[s]) return;
        reachable[s] = 1;
        stack.push_back(s);
        while (!stack.empty()) {
            VertexId u = stack.back();
            stack.pop_back();
            for (VertexId w : adj.out(u))
                if (!reachable[w]) {
                    reachable[w] = 1;
                    stack.push_back(w);
                }
        }
    };
    for (VertexId v : vantages_) mark_from(v);
    // Lowest gaps first: the vertex nearest the vantage may make the others reachable.
    std::sort(pending_starts_.begin(), pending_starts_.end(), [](const PendingStart &a, const PendingStart &b) {
        return a.gap != b.gap ? a.gap < b.gap : a.vertex != b.vertex ? a.vertex < b.vertex : a.from < b.from;
    });
    for (const auto &[v, gap, from] : pending_starts_) {
        if (reachable[v] && !graph_.find_edge(from, v, EdgeKind::link) && !graph_.find_edge(from, v, EdgeKind::reaches))
            continue;
        const bool is_prefix = graph_.vertex(v).kind == VertexKind::prefix;
        link_edge(from, v, is_prefix ? EdgeKind::reaches : EdgeKind::link, 0, gap, 0.0f, false);
        mark_from(v);
    }
    pending_starts_.clear();
}

} // namespace pathmap::graph
