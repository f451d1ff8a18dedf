// The second pass: re-asks TTLs that went unanswered inside a trace (holes),
// most often because a router's ICMP rate limit dropped the answer. A hole
// is identified by its neighbours (the addresses one TTL before and after);
// holes whose neighbours already bracket an answered hop in some trace are
// explained and skipped, and the rest are re-asked once per neighbour pair
// per pass, through a different target each pass, so a rate-limited router
// is asked a handful of times instead of once per target. Complete traces
// promise every TTL of every trace, so there each hole is its own group and
// none is skipped as explained.
#pragma once

#include <cstdint>
#include <vector>

#include "userspace/engine/match/trace_table.h"
#include "userspace/engine/probe/probe_encoder.h"

namespace pathmap::sched {

struct Hole {
    size_t trace;
    uint8_t ttl;
};

struct HoleGroup {
    uint32_t prev = 0, next = 0; // host order, 0 = unknown
    std::vector<Hole> holes;
};

enum class HoleScope {
    by_neighbours, // discovery: one group per neighbour pair, explained ones left out
    every_trace,   // complete traces: one group per hole, from the lowest probed TTL
};

// Unanswered TTLs after a trace's lowest probed TTL (by_neighbours) or from it
// (every_trace) up to its terminal (or highest answered) TTL, grouped as the
// scope says. Deterministic order.
std::vector<HoleGroup> find_hole_groups(const match::TraceTable &table, HoleScope scope = HoleScope::by_neighbours);

// Probes for pass `pass` (0-based): one per group still unexplained, the
// (pass % size)-th hole of the group. Appends to out; returns the count.
size_t plan_hole_pass(const match::TraceTable &table, const std::vector<HoleGroup> &groups, unsigned pass,
                      std::vector<probe::ProbeSpec> &out);

} // namespace pathmap::sched
