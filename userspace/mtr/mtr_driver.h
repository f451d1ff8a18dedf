// Runs an MtrRun on the probe engine: one ProbeSession (sender + XDP reply
// program + ring buffer), a round every --interval, replies drained on a
// timer between rounds, timeouts applied, the live view or periodic reports
// refreshed, and the caller's on_tick (reverse DNS) run between them.
// Single-threaded: replies arrive through the session's sink on this thread,
// so MtrRun needs no locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "userspace/engine/session/session_set.h"
#include "userspace/mtr/host_naming.h"
#include "userspace/mtr/mtr_run.h"

namespace pathmap::mtr {

struct MtrDriverConfig {
    session::SessionConfig session; // proto, port, flows, rate... (routes come from the targets)
    uint64_t rounds = 10;           // 0 = until stopped
    bool live_view = false;         // --continuous on a terminal
    std::string targets_text;       // for the live header
    std::string proto_text = "icmp";
    uint64_t report_every = 0;      // rounds between periodic reports (0 = none)
    std::function<void(const MtrRun &)> periodic_report;
    // Longest wait for replies after Ctrl-C/q before the final report.
    uint32_t quit_drain_ms = 1000;
    // Called after every round and on every tick (at most 50 ms apart),
    // on this thread; must not block: reverse DNS asks for the new hop
    // addresses and takes the answers that have arrived. True when
    // something new arrived: the live view redraws at once.
    std::function<bool(MtrRun &)> on_tick;
    HostNaming naming;                        // hosts in the live view
    std::function<std::string()> names_status; // live header: reverse DNS progress
};

struct MtrDriverResult {
    bool interrupted = false;
    double duration_s = 0;
    std::string engine;               // "AF_XDP copy mode on eth0 queue 0, XDP generic"
    uint64_t tx_backpressure = 0, tx_errors = 0;
    uint64_t rx_ringbuf_full = 0, rx_foreign = 0, ring_malformed = 0;
};

// Throws std::runtime_error on setup failures (privileges, interface, XDP).
MtrDriverResult run_mtr(MtrRun &run, const MtrDriverConfig &cfg, std::atomic<bool> &stop);

} // namespace pathmap::mtr
