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

// Writes traces.jsonl and summary.json into dir (created if missing).
// Throws std::runtime_error naming the file that cannot be written.
void write_sweep_outputs(const std::string &dir, const SweepResult &result);

} // namespace pathmap::sweep
