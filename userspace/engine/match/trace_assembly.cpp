// Trace assembly and discovery counts.
#include "userspace/engine/match/trace_assembly.h"

#include <algorithm>
#include <unordered_set>

#include "pathmap/ipv4.h"
#include "userspace/engine/match/reply_matcher.h"

namespace pathmap::match {

const char *to_string(StopReason r) noexcept
{
    switch (r) {
    case StopReason::none: return "";
    case StopReason::reached: return "reached";
    case StopReason::unreachable: return "unreachable";
    case StopReason::gap_limit: return "gap_limit";
    case StopReason::max_ttl: return "max_ttl";
    case StopReason::loop: return "loop";
    case StopReason::interrupted: return "interrupted";
    case StopReason::mda: return "mda";
    }
    return "";
}

namespace {

bool router_hop(const HopSlot &h, uint32_t dst) noexcept { return h.addr != 0 && h.addr != dst; }

} // namespace

Trace assemble_trace(const TraceTable &table, size_t trace, StopReason reason)
{
    Trace t;
    const uint32_t dst = table.trace_target(trace);
    t.dst = format_ipv4(dst);
    t.flow_id = table.trace_flow(trace);
    const uint8_t last = table.terminal_ttl(trace) ? table.terminal_ttl(trace) : table.max_ttl();
    // What was probed, not only what answered: silent probed TTLs are hops
    // without an address, TTLs never sent are absent.
    for (uint8_t ttl = 1; ttl <= table.max_ttl(); ++ttl)
        if (table.was_sent(trace, ttl)) {
            t.first_ttl = ttl;
            break;
        }
    for (uint8_t ttl = 1; ttl <= last; ++ttl) {
        if (!table.answered(trace, ttl)) {
            if (table.was_sent(trace, ttl)) t.hops.push_back(Hop{.ttl = ttl});
            continue;
        }
        const HopSlot &s = table.hop(trace, ttl);
        const bool tcp = s.kind == PM_REPLY_TCP_SYNACK || s.kind == PM_REPLY_TCP_RST;
        Hop h{
            .ttl = ttl,
            .addr = format_ipv4(s.addr),
            .rtt_ms = s.rtt_us / 1000.0,
            .icmp_type = tcp ? -1 : s.icmp_type,
            .icmp_code = tcp ? -1 : s.icmp_code,
            .reply_ttl = s.reply_ttl,
            .quoted_ttl = s.quoted_ttl,
        };
        for (uint32_t lse : table.mpls(s)) h.mpls_labels.push_back(lse >> 12);
        t.hops.push_back(std::move(h));
    }
    if (table.terminal_ttl(trace)) {
        const HopSlot &end = table.hop(trace, table.terminal_ttl(trace));
        t.reached = end.addr == dst;
        reason = t.reached ? StopReason::reached : StopReason::unreachable;
    }
    t.stop_reason = to_string(reason);
    return t;
}

Discovery count_discovery(const TraceTable &table)
{
    Discovery d;
    std::unordered_set<uint32_t> ifaces;
    std::unordered_set<uint64_t> links;
    std::vector<uint8_t> reached(table.num_targets(), 0);
    for (size_t tr = 0; tr < table.num_traces(); ++tr) {
        const uint32_t dst = table.trace_target(tr);
        const uint8_t last = table.terminal_ttl(tr) ? table.terminal_ttl(tr) : table.max_ttl();
        if (table.terminal_ttl(tr) && table.hop(tr, last).addr == dst) reached[tr / table.num_flows()] = 1;
        uint32_t prev = 0;
        for (uint8_t ttl = 1; ttl <= last; ++ttl) {
            const uint32_t a = table.answered(tr, ttl) && router_hop(table.hop(tr, ttl), dst) ? table.hop(tr, ttl).addr : 0;
            if (a) ifaces.insert(a);
            if (a && prev && a != prev) links.insert((uint64_t{prev} << 32) | a);
            prev = a;
        }
    }
    d.interfaces = ifaces.size();
    d.links = links.size();
    d.targets_reached = static_cast<uint64_t>(std::count(reached.begin(), reached.end(), 1));
    return d;
}

} // namespace pathmap::match
