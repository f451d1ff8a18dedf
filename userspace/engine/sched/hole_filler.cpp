// Hole grouping for the rate-limit recovery pass.
#include "userspace/engine/sched/hole_filler.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

namespace pathmap::sched {
namespace {

uint32_t addr_at(const match::TraceTable &t, size_t tr, unsigned ttl) noexcept
{
    if (ttl == 0 || ttl > t.max_ttl() || !t.answered(tr, static_cast<uint8_t>(ttl))) return 0;
    return t.hop(tr, static_cast<uint8_t>(ttl)).addr;
}

uint64_t pair_key(uint32_t a, uint32_t b) noexcept { return (uint64_t{a} << 32) | b; }

bool explained(const match::TraceTable &t, const HoleGroup &g, const std::unordered_set<uint64_t> &bracketed)
{
    if (g.prev && g.next) return bracketed.count(pair_key(g.prev, g.next)) > 0;
    for (const Hole &h : g.holes)
        if (t.answered(h.trace, h.ttl)) return true;
    return false;
}

} // namespace

std::vector<HoleGroup> find_hole_groups(const match::TraceTable &t, HoleScope scope)
{
    // Neighbour pairs around every answered hop.
    std::unordered_set<uint64_t> bracketed;
    // Key: (prev, next) when both are known; otherwise also the TTL and the
    // target's /24, so unrelated unknown-neighbour holes do not merge. With
    // every_trace the key is the trace and TTL alone.
    const bool every = scope == HoleScope::every_trace;
    std::map<std::tuple<uint32_t, uint32_t, uint32_t, uint8_t>, HoleGroup> groups;
    for (size_t tr = 0; tr < t.num_traces(); ++tr) {
        uint8_t lo = 0, hi = 0;
        for (uint8_t ttl = 1; ttl <= t.max_ttl(); ++ttl) {
            if (t.was_sent(tr, ttl) && !lo) lo = ttl;
            if (t.answered(tr, ttl)) hi = ttl;
        }
        if (t.terminal_ttl(tr)) hi = t.terminal_ttl(tr);
        for (uint8_t ttl = 1; ttl <= hi; ++ttl) {
            const uint32_t prev = addr_at(t, tr, ttl - 1u), next = addr_at(t, tr, ttl + 1u);
            if (t.answered(tr, ttl)) {
                if (prev && next) bracketed.insert(pair_key(prev, next));
                continue;
            }
            if (ttl < lo || (ttl == lo && !every) || !t.was_sent(tr, ttl)) continue;
            const bool known = prev && next && !every;
            const auto key = every ? std::make_tuple(0u, 0u, static_cast<uint32_t>(tr), ttl)
                                   : std::make_tuple(prev, next, known ? 0u : t.trace_target(tr) >> 8, known ? uint8_t{0} : ttl);
            HoleGroup &g = groups[key];
            g.prev = prev;
            g.next = next;
            g.holes.push_back({tr, ttl});
        }
    }
    std::vector<HoleGroup> out;
    for (auto &[key, g] : groups)
        if (every || !explained(t, g, bracketed)) out.push_back(std::move(g));
    return out;
}

size_t plan_hole_pass(const match::TraceTable &t, const std::vector<HoleGroup> &groups, unsigned pass,
                      std::vector<probe::ProbeSpec> &out)
{
    size_t n = 0;
    for (const HoleGroup &g : groups) {
        bool done = false;
        for (const Hole &h : g.holes) done = done || t.answered(h.trace, h.ttl);
        if (done || g.holes.empty()) continue;
        const Hole &h = g.holes[pass % g.holes.size()];
        out.push_back({.dst = t.trace_target(h.trace), .ttl = h.ttl, .flow_id = t.trace_flow(h.trace)});
        ++n;
    }
    return n;
}

} // namespace pathmap::sched
