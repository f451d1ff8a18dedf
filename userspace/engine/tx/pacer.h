// Token-bucket pacer: how many probes may go now to hold an exact average
// rate. Pure arithmetic on caller-supplied CLOCK_MONOTONIC nanoseconds.
#pragma once

#include <cstdint>

namespace pathmap::tx {

struct PacerConfig {
    uint64_t rate_pps = 0;  // 0 = unpaced
    // Max probes banked. A sender descheduled for longer than the burst loses
    // that time for good; 0 = 20 ms worth (max(1, rate/50)): catches up after
    // a busy 2-core machine stalls us, yet bounds the line-rate burst.
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
