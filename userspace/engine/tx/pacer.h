// Token-bucket pacer: how many probes may go now to hold an exact average
// rate. Pure arithmetic on caller-supplied CLOCK_MONOTONIC nanoseconds, plus
// a wait helper that takes its clock as an interface so tests can fake it.
#pragma once

#include <cstdint>

namespace pathmap::tx {

struct PacerConfig {
    uint64_t rate_pps = 0; // 0 = unpaced
    // Probes banked while the caller is idle (after pause()): the burst a new
    // round may start with. 0 = 100 ms worth (max(1, rate/10)).
    uint32_t burst = 0;
    // Lateness recovered while the caller is backlogged: a sender descheduled
    // for up to this long sends the probes it owes at the next call instead
    // of losing the time. Measured here: a busy 2-core VM stalls a normal
    // priority sender 20-200 ms at a time several times in 5 s, which a
    // 100 ms bank turned into a 5% shortfall at 1 Mpps. Longer stalls (a
    // stopped process) lose the excess for good (counted in lost()).
    uint64_t catch_up_ns = 1'000'000'000;
};

class Pacer {
public:
    explicit Pacer(PacerConfig cfg) noexcept;
    // Probes allowed now: credit accrued since the last call, capped at
    // burst() after pause() and at catch_up() otherwise. Unpaced: `want`.
    // Call consume() with what was actually sent.
    uint64_t allowance(uint64_t now_ns, uint64_t want) noexcept;
    void consume(uint64_t sent) noexcept;
    // The caller has nothing more to send for now: what it owes is forgiven
    // down to burst(), and idle time accrues at most burst() probes.
    void pause(uint64_t now_ns) noexcept;
    // Nanoseconds until at least n probes are allowed (0 if now).
    uint64_t wait_ns(uint64_t now_ns, uint64_t n = 1) const noexcept;
    // Probes worth gathering before a send: ~100 us of rate, at least 1, at
    // most `max_chunk`. Sending in chunks keeps the per-syscall cost
    // amortized at high rates while bursts stay ~100 us long.
    uint64_t chunk(uint64_t max_chunk) const noexcept;
    uint64_t rate_pps() const noexcept { return cfg_.rate_pps; }
    uint32_t burst() const noexcept { return cfg_.burst; }
    uint64_t catch_up() const noexcept { return catch_up_; } // probes
    // Probes' worth of time dropped because the caller fell further behind
    // than catch_up_ns (0 in a run that held its rate).
    uint64_t lost() const noexcept { return lost_; }

private:
    void accrue(uint64_t now_ns, uint64_t cap) noexcept;

    PacerConfig cfg_;
    uint64_t catch_up_ = 0;
    bool started_ = false, paused_ = false;
    uint64_t last_ns_ = 0;
    // Credit in units of 1/1e9 probe (rate_pps per nanosecond), exact integer
    // arithmetic so no drift accumulates over long runs.
    uint64_t credit_ = 0;
    uint64_t lost_ = 0;
};

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns() noexcept;

// The clock a pacing loop reads and sleeps on; tests substitute a fake one.
class PaceClock {
public:
    virtual ~PaceClock() = default;
    virtual uint64_t now_ns() noexcept = 0;
    virtual void sleep_ns(uint64_t ns) noexcept = 0;
};

// CLOCK_MONOTONIC and nanosleep. Sets the thread's timer slack to 1 us
// (default 50 us) so sleeps end close to when they were asked to.
class MonotonicClock final : public PaceClock {
public:
    MonotonicClock() noexcept;
    uint64_t now_ns() noexcept override { return monotonic_ns(); }
    void sleep_ns(uint64_t ns) noexcept override;
};

struct PaceWait {
    uint64_t allowed; // probes that may go now (>= the n asked, unless capped by `want`)
    uint64_t now_ns;  // clock reading it was computed at
};

// Waits until n probes are due, then returns the allowance for up to `want`.
// Sleeps through all but the last `spin_ns` of the wait and spins (re-reads
// the clock) for the rest: a sleep overshoots by tens of microseconds, a
// spin does not, and the pacer turns any lateness into a bigger next chunk.
PaceWait await_allowance(Pacer &, PaceClock &, uint64_t n, uint64_t want, uint64_t spin_ns = 50'000) noexcept;

} // namespace pathmap::tx
