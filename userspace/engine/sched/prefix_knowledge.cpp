// Per-/24 scouts, their verdicts, and the plans of the other addresses.
#include "userspace/engine/sched/prefix_knowledge.h"

#include <algorithm>

#include "pathmap/wire.h"
#include "userspace/engine/sched/permutation.h"

namespace pathmap::sched {
namespace {

// What one scout's trace showed.
struct Outcome {
    bool reached = false;
    uint8_t distance = 0;  // reached: the destination's TTL
    uint32_t last_hop = 0; // reached: the Time Exceeded address at distance - 1 (0 = silent)
    uint8_t deep_ttl = 0;  // not reached: the deepest TTL a router answered with Time Exceeded
    uint32_t deep_addr = 0;
};

Outcome outcome_of(const match::TraceTable &table, size_t trace, uint32_t dst) noexcept
{
    Outcome o;
    const uint8_t terminal = table.terminal_ttl(trace);
    auto router_at = [&](uint8_t ttl) -> uint32_t {
        if (ttl == 0 || !table.answered(trace, ttl)) return 0;
        const match::HopSlot &h = table.hop(trace, ttl);
        return h.kind == PM_REPLY_TIME_EXCEEDED && h.addr != dst ? h.addr : 0;
    };
    if (terminal && table.hop(trace, terminal).addr == dst) {
        o.reached = true;
        o.distance = terminal;
        o.last_hop = router_at(static_cast<uint8_t>(terminal - 1));
        return o;
    }
    const uint8_t top = terminal ? terminal : table.max_ttl();
    for (uint8_t ttl = top; ttl >= 1; --ttl) {
        if (const uint32_t a = router_at(ttl)) {
            o.deep_ttl = ttl;
            o.deep_addr = a;
            break;
        }
    }
    return o;
}

} // namespace

PrefixKnowledge::PrefixKnowledge(std::span<const uint32_t> targets, const PrefixKnowledgeConfig &cfg)
    : cfg_(cfg), group_of_(targets.size()), role_(targets.size(), kFollower)
{
    if (!enabled()) return;
    for (size_t t = 0; t < targets.size(); ++t) {
        if (groups_.empty() || (targets[t] >> 8) != (targets[groups_.back().first] >> 8)) groups_.push_back({.first = t});
        ++groups_.back().size;
        group_of_[t] = static_cast<uint32_t>(groups_.size() - 1);
    }
    // Scouts are the first addresses of each /24 in probe order, which is
    // random: any cfg.scouts addresses would do, these go out first.
    std::vector<uint8_t> taken(groups_.size(), 0);
    const Permutation order(targets.size(), cfg_.seed);
    for (uint64_t i = 0; i < order.size(); ++i) {
        const size_t t = order.at(i);
        uint8_t &n = taken[group_of_[t]];
        if (n < cfg_.scouts) {
            ++n;
            role_[t] = kScout;
            ++num_scouts_;
        } else if (cfg_.sample_every && mix64(cfg_.seed ^ targets[t]) % cfg_.sample_every == 0) {
            role_[t] = kSampled;
        }
    }
}

void PrefixKnowledge::judge(const match::TraceTable &table, Group &g)
{
    std::vector<Outcome> seen;
    seen.reserve(cfg_.scouts);
    for (size_t t = g.first; t < g.first + g.size; ++t)
        if (role_[t] == kScout) seen.push_back(outcome_of(table, table.trace_index(t, 0), table.target(t)));

    std::vector<uint8_t> dists;
    for (const Outcome &o : seen)
        if (o.reached) dists.push_back(o.distance);
    if (!dists.empty()) {
        std::nth_element(dists.begin(), dists.begin() + dists.size() / 2, dists.end());
        g.neighbour = dists[dists.size() / 2];
    }
    if (seen.size() < cfg_.scouts || seen.empty()) return; // too few scouts to trust
    if (dists.size() == seen.size()) {
        // All reached: one distance, one last hop (silent answers agree with any).
        uint32_t last = 0;
        for (const Outcome &o : seen) {
            if (o.distance != seen.front().distance) return;
            if (o.last_hop && last && o.last_hop != last) return;
            if (o.last_hop) last = o.last_hop;
        }
        g.verdict = PrefixVerdict::reached;
        g.distance = seen.front().distance;
        return;
    }
    if (!dists.empty()) return; // some reached, some not
    // None reached: the same router at the deepest TTL any of them got a
    // Time Exceeded from (a scout silent there, e.g. rate-limited, agrees).
    const Outcome *deep = &seen.front();
    for (const Outcome &o : seen)
        if (o.deep_ttl > deep->deep_ttl) deep = &o;
    for (size_t t = g.first; t < g.first + g.size; ++t) {
        if (role_[t] != kScout || deep->deep_ttl == 0) continue;
        const size_t tr = table.trace_index(t, 0);
        if (!table.answered(tr, deep->deep_ttl)) continue;
        const match::HopSlot &h = table.hop(tr, deep->deep_ttl);
        if (h.kind == PM_REPLY_TIME_EXCEEDED && h.addr != deep->deep_addr) return;
    }
    g.verdict = PrefixVerdict::unreached;
    g.edge_ttl = deep->deep_ttl;
    g.edge_addr = deep->deep_addr;
}

void PrefixKnowledge::learn(const match::TraceTable &table)
{
    if (!enabled() || learned_) return;
    learned_ = true;
    for (Group &g : groups_) {
        judge(table, g);
        if (g.size <= cfg_.scouts) continue;
        ++counts_.prefixes;
        switch (g.verdict) {
        case PrefixVerdict::reached: ++counts_.reached; break;
        case PrefixVerdict::unreached: ++counts_.unreached; break;
        case PrefixVerdict::unknown: ++counts_.unknown; break;
        }
    }
}

PrefixPlan PrefixKnowledge::plan(size_t target) const noexcept
{
    if (!enabled() || !learned_ || role_[target] == kScout) return {};
    const Group &g = groups_[group_of_[target]];
    switch (g.verdict) {
    case PrefixVerdict::reached:
        if (role_[target] == kSampled) return {};
        return {.kind = PrefixPlan::Kind::predicted, .distance = g.distance};
    case PrefixVerdict::unreached: return {.kind = PrefixPlan::Kind::edge, .edge_ttl = g.edge_ttl, .edge_addr = g.edge_addr};
    case PrefixVerdict::unknown: break;
    }
    return {};
}

uint8_t PrefixKnowledge::neighbour_distance(size_t target) const noexcept
{
    if (!enabled() || !learned_) return 0;
    return groups_[group_of_[target]].neighbour;
}

} // namespace pathmap::sched
