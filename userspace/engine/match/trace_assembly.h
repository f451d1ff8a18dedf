// Turns a TraceTable row into a pathmap::Trace (what traces.jsonl holds),
// and counts what a sweep discovered: router interfaces and links.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pathmap/trace.h"
#include "userspace/engine/match/trace_table.h"

namespace pathmap::match {

// mda: a flow of `sweep --mda`, probed only at the TTLs its destination's
// MDA asked for (sweep/mda_phase.h), up to the last router by design.
enum class StopReason : uint8_t { none, reached, unreachable, gap_limit, max_ttl, loop, interrupted, mda };
const char *to_string(StopReason) noexcept;

// Hops up to the first terminal TTL (later TTLs only repeat the
// destination). stop_reason comes from the scheduler; a reached/unreachable
// terminal hop overrides it.
Trace assemble_trace(const TraceTable &table, size_t trace, StopReason reason);

struct Discovery {
    uint64_t interfaces = 0;      // distinct router addresses (Time Exceeded / router unreachables)
    uint64_t links = 0;           // distinct (router at t, router at t+1) pairs
    uint64_t targets_reached = 0; // targets with at least one flow reaching it
};
Discovery count_discovery(const TraceTable &table);

} // namespace pathmap::match
