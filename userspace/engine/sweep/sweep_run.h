// One sweep from start to finish: preprobe, Doubletree rounds, hole passes,
// final drain; then traces and a summary. Interruptible through a flag that
// a signal handler sets: sending stops, replies are drained for the wait
// time, and the result is marked incomplete.
#pragma once

#include <atomic>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"
#include "userspace/engine/sweep/sweep_config.h"

namespace pathmap::sweep {

struct SweepResult {
    std::vector<Trace> traces; // one per (target, flow), target order
    nlohmann::json summary;    // what summary.json holds
    bool complete = true;
};

// Throws std::runtime_error on setup failures (privileges, interface, XDP).
// stop: set to true to interrupt; abort: set to true to also cut the drain.
SweepResult run_sweep(const SweepConfig &cfg, const std::atomic<bool> *stop = nullptr,
                      const std::atomic<bool> *abort = nullptr);

// An upper estimate of a sweep's peak memory, known before it starts: the
// per-(trace, TTL) reply table (16 bytes a slot), per-trace state, the traces
// assembled at the end and, unless --no-graph, the graph built from them.
// Calibrated on the default testbed: 65,536 targets x 1 flow x 32 TTLs
// measured 97 MiB peak RSS (Release) where this says 170 MiB.
uint64_t estimate_sweep_bytes(size_t targets, uint16_t flows, uint8_t max_ttl, bool graph) noexcept;

// "512 MiB", "4.0 GiB": for messages.
std::string format_bytes(uint64_t bytes);

// Writes traces.jsonl and summary.json into dir (created if missing).
// Throws std::runtime_error naming the file that cannot be written.
void write_sweep_outputs(const std::string &dir, const SweepResult &result);

} // namespace pathmap::sweep
