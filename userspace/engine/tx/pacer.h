// Token-bucket pacer: how many probes may go now to hold an exact average
// rate. Pure arithmetic on caller-supplied CLOCK_MONOTONIC nanoseconds.
#pragma once

#include <cstdint>

namespace pathmap::tx {

struct PacerConfig {
    uint64_t rate_pps = 0;  // 0 = unpaced
    // Max probes banked. A sender descheduled for longer than that loses the
    // time for good; 0 = 100 ms worth (max(1, rate/10)). Measured here: a
    // busy 2-core VM (and RT throttling's 50 ms pauses) stalls the sender
    // past 20 ms several times in 5 s; 100 ms keeps 5 s averages within 1%
    // while a burst after a stall stays bounded.
    uint32_t burst = 0;
};

class Pacer {
public:
    explicit Pacer(PacerConfig cfg) noexcept;
    // Probes allowed now (credit accrued since the last call, capped at burst).
    // Unpaced: returns `want`. Call consume() with what was actually sent.
    uint64_t allowance(uint64_t now_ns, uint64_t want) noexcept;
    void consume(uint64_t sent) noexcept;
    // Nanoseconds until at least n probes are allowed (0 if now).
    uint64_t wait_ns(uint64_t now_ns, uint64_t n = 1) const noexcept;
    // Probes worth gathering before a send: ~100 us of rate, at least 1, at
    // most `max_chunk`. Waiting for a chunk (and sleeping through the wait)
    // instead of spinning probe by probe leaves the CPU to the kernel's
    // receive work and never trips RT throttling, while keeping bursts tiny.
    uint64_t chunk(uint64_t max_chunk) const noexcept;
    uint64_t rate_pps() const noexcept { return cfg_.rate_pps; }
    uint32_t burst() const noexcept { return cfg_.burst; }

private:
    PacerConfig cfg_;
    bool started_ = false;
    uint64_t last_ns_ = 0;
    // Credit in units of 1/1e9 probe (rate_pps per nanosecond), exact integer
    // arithmetic so no drift accumulates over long runs.
    uint64_t credit_ = 0;
};

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns() noexcept;

} // namespace pathmap::tx
