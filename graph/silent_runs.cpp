// TopologyBuilder::place_silent_runs: which vertex stands for each probed,
// silent TTL, decided once every trace is in (so the order of the traces
// does not matter). In order of confidence:
// 1. Silence just before a destination that other traces of its prefix (or
//    host) saw at that distance, or whose reply came back with the same TTL
//    as destinations answering right behind the same hop: the destination's
//    own probe went unanswered (lost, rate-limited), not a silent router. (A
//    destination behind one more router shows a reply TTL one lower.) The
//    slots are dropped.
// 2. A lone silent TTL between A and B where other traces saw exactly one
//    router X as A -> X -> B (or X with destinations right behind it
//    answering like this one): X, silent this time (rate-limited, lossy).
//    Otherwise an anonymous vertex keyed (A, B, offset).
// 3. A longer silent run between A and B: the one chain of vertices, each
//    seen at adjacent TTLs, that leads from A to B in exactly that many
//    steps, if there is exactly one (with the anonymous vertices of step 2,
//    a silent router next to a router that was rate-limited this time);
//    otherwise a chain of anonymous vertices.
#include <algorithm>
#include <span>

#include "graph/detail/edge_snapshot.h"
#include "graph/topology_builder.h"

namespace pathmap::graph {

namespace {

// Successors over edges seen at adjacent TTLs (no unprobed gap), from hop
// vertices (interfaces and anonymous).
detail::EdgeSnapshot direct_adjacency(const TopologyGraph &g)
{
    return detail::EdgeSnapshot(g, [&g](const EdgeRef &e) {
        const VertexKind k = g.vertex(e.src).kind;
        return e.info->ttl_gap == 0 && (e.info->kind == EdgeKind::link || e.info->kind == EdgeKind::reaches) &&
               (k == VertexKind::interface || k == VertexKind::anonymous);
    });
}

constexpr uint8_t kLongestSearchedRun = 4; // longer silences become anonymous chains

} // namespace

void TopologyBuilder::place_silent_runs()
{
    if (silent_runs_.empty()) return;
    auto edge_kind_to = [&](VertexId v) {
        return graph_.vertex(v).kind == VertexKind::prefix ? EdgeKind::reaches : EdgeKind::link;
    };
    auto is_hop = [&](VertexId v) {
        const VertexKind k = graph_.vertex(v).kind;
        return k == VertexKind::interface || k == VertexKind::anonymous;
    };
    // The slots of a run take the vertices in `chain`; counted on the edges.
    auto assign = [&](const SilentRun &run, const VertexId *chain) {
        PathHop *slots = hops_.data() + run.first_hop;
        VertexId prev = run.from;
        uint8_t prev_ttl = run.from_ttl;
        for (uint8_t k = 0; k < run.count; ++k) {
            slots[k].vertex = chain[k];
            VertexInfo &vi = graph_.vertex(chain[k]);
            if (vi.kind == VertexKind::anonymous) { // one more silent slot of that router
                ++vi.times_seen;
                ++vi.traces;
            }
            link_edge(prev, chain[k], EdgeKind::link, prev_ttl, 0, 0.0f, false);
            prev = chain[k];
            prev_ttl = slots[k].ttl;
        }
        link_edge(prev, run.to, edge_kind_to(run.to), prev_ttl, 0, 0.0f, false);
    };
    auto anonymous_chain = [&](const SilentRun &run) {
        PathHop *slots = hops_.data() + run.first_hop;
        VertexId prev = run.from;
        uint8_t prev_ttl = run.from_ttl;
        for (uint8_t k = 0; k < run.count; ++k) {
            const uint8_t ttl = slots[k].ttl;
            const VertexId a = anonymous_vertex(run.from, run.to, static_cast<uint8_t>(ttl - run.from_ttl));
            VertexInfo &ai = graph_.vertex(a);
            ++ai.times_seen;
            ++ai.traces;
            ai.min_ttl = std::min(ai.min_ttl, ttl);
            ai.max_ttl = std::max(ai.max_ttl, ttl);
            const uint8_t gap = static_cast<uint8_t>(ttl - prev_ttl - 1);
            if (is_vantage(prev) && gap > 0) pending_starts_.push_back({a, gap, prev});
            else link_edge(prev, a, EdgeKind::link, prev_ttl, gap, 0.0f, false);
            slots[k].vertex = a;
            prev = a;
            prev_ttl = ttl;
        }
        link_edge(prev, run.to, edge_kind_to(run.to), prev_ttl, static_cast<uint8_t>(run.to_ttl - prev_ttl - 1), 0.0f,
                  false);
    };
    auto contiguous = [](const SilentRun &run) { return run.to_ttl == run.from_ttl + run.count + 1; };

    bool dropped = false;
    std::vector<const SilentRun *> longer;
    {
        const detail::EdgeSnapshot adj = direct_adjacency(graph_);
        auto behind_like = [&](VertexId x, uint8_t reply_ttl) {
            return reply_ttl && direct_destinations_.count(uint64_t{x} << 8 | reply_ttl);
        };
        for (const SilentRun &run : silent_runs_) {
            PathHop *slots = hops_.data() + run.first_hop;
            PathHop &answer = slots[run.count];
            if (run.to_destination &&
                (graph_.vertex(run.to).min_ttl <= slots[0].ttl || behind_like(run.from, answer.reply_ttl))) {
                for (uint8_t k = 0; k < run.count; ++k) slots[k].flags |= PathHop::kDropped;
                answer.ttl = slots[0].ttl;
                link_edge(run.from, run.to, edge_kind_to(run.to), run.from_ttl, 0, 0.0f, false);
                dropped = true;
                continue;
            }
            if (run.count > 1) {
                longer.push_back(&run);
                continue;
            }
            VertexId only = kNoVertex;
            if (contiguous(run) && !is_vantage(run.from)) {
                size_t found = 0;
                for (VertexId x : adj.out(run.from)) {
                    if (graph_.vertex(x).kind != VertexKind::interface) continue;
                    bool leads = run.to_destination && behind_like(x, answer.reply_ttl);
                    for (VertexId y : adj.out(x))
                        if (y == run.to) leads = true;
                    if (leads) {
                        only = x;
                        ++found;
                    }
                }
                if (found != 1) only = kNoVertex;
            }
            if (only != kNoVertex) assign(run, &only);
            else anonymous_chain(run);
        }
    }
    if (!longer.empty()) {
        // Over what the lone silences just added too.
        const detail::EdgeSnapshot adj = direct_adjacency(graph_);
        for (const SilentRun *run : longer) {
            VertexId chain[kLongestSearchedRun] = {}, found_chain[kLongestSearchedRun] = {};
            size_t found = 0;
            if (contiguous(*run) && run->count <= kLongestSearchedRun && !is_vantage(run->from)) {
                // Depth-first over paths of exactly count + 1 steps; stops at a second match.
                auto search = [&](auto &self, VertexId at, uint8_t depth) -> void {
                    if (found > 1) return;
                    if (depth == run->count) {
                        for (VertexId y : adj.out(at))
                            if (y == run->to) {
                                if (++found == 1) std::copy(chain, chain + run->count, found_chain);
                                return;
                            }
                        return;
                    }
                    for (VertexId x : adj.out(at)) {
                        if (!is_hop(x) || x == run->to) continue;
                        chain[depth] = x;
                        self(self, x, static_cast<uint8_t>(depth + 1));
                    }
                };
                search(search, run->from, 0);
            }
            if (found == 1) assign(*run, found_chain);
            else anonymous_chain(*run);
        }
    }
    silent_runs_.clear();
    if (!dropped) return;
    // Close the slots of dropped silences: paths stay contiguous in hops_.
    size_t out = 0;
    for (PathRecord &rec : paths_) {
        const size_t begin = rec.first_hop, end = begin + rec.hop_count;
        rec.first_hop = static_cast<uint32_t>(out);
        for (size_t k = begin; k < end; ++k)
            if (!(hops_[k].flags & PathHop::kDropped)) hops_[out++] = hops_[k];
        rec.hop_count = static_cast<uint32_t>(out - rec.first_hop);
    }
    hops_.resize(out);
}

} // namespace pathmap::graph
