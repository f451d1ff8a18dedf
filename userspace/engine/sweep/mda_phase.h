// The MDA phase of `pathmap sweep --mda`: after the sweep, a few
// representative destinations (every target when there are few, else one per
// distinct last router) are probed with up to max_flows flow ids each, in
// rounds planned by sched::MdaExplorer, until every hop's next hops are
// enumerated at the configured confidence or a bound (probes, rounds, time,
// flow ids) stops it. The phase opens its own session with the sweep's run id
// and flow ids above the sweep's, so its traces join traces.jsonl as more
// (target, flow) lines and flow ids keep one meaning per run.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"
#include "userspace/engine/sweep/sweep_config.h"
#include "userspace/engine/sweep/sweep_run.h"

namespace pathmap::sweep {

struct MdaTarget {
    uint32_t dst = 0;     // host order
    uint8_t last_ttl = 0; // highest TTL probed: the last router before the destination, or the deepest answer
};

struct MdaTargetChoice {
    std::vector<MdaTarget> targets; // sorted by dst
    size_t candidates = 0;          // sweep traces that could be enumerated (an answer at TTL >= 2)
    size_t groups = 0;              // distinct last routers among them
    size_t left_out = 0;            // groups beyond max_targets, not enumerated
};

// Pure: from the sweep's traces (flow 0 of each target), every candidate
// when there are at most max_targets, else the first reached target (in
// address order) of each distinct last router, at most max_targets of them.
MdaTargetChoice pick_mda_targets(std::span<const Trace> traces, size_t max_targets);

struct MdaPhaseResult {
    std::vector<Trace> traces; // one per (target, flow) that was probed
    nlohmann::json summary;    // summary.json's "mda"
    uint64_t probes = 0;
    bool complete = true;      // false: interrupted or the sender failed
};

// sweep: the sweep's traces; when the MDA probes with the sweep's protocol,
// their flow 0 is the MDA's first flow (same header), and its answers count.
// Throws std::runtime_error on setup failures (as run_sweep does).
MdaPhaseResult run_mda_phase(const SweepConfig &cfg, uint32_t run_id, std::span<const MdaTarget> targets,
                             std::span<const Trace> sweep, const std::atomic<bool> *stop,
                             const std::atomic<bool> *abort);

// Runs the phase after a complete sweep and merges it into res: its traces
// appended, summary "mda", probes_sent and probes_by_phase.mda, interfaces,
// links and the per-target ratios over both. An interrupted sweep gets no
// MDA phase ("stopped_by": "sweep_incomplete").
void add_mda_phase(const SweepConfig &cfg, SweepResult &res, const std::atomic<bool> *stop,
                   const std::atomic<bool> *abort);

// Interfaces and links as match::count_discovery counts them, over traces.
struct TraceDiscovery {
    uint64_t interfaces = 0, links = 0;
};
TraceDiscovery count_trace_discovery(std::span<const Trace> traces);

} // namespace pathmap::sweep
