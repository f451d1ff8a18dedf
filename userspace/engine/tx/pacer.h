// Token-bucket pacer: how many probes may go now to hold an exact average
// rate. Pure arithmetic on caller-supplied CLOCK_MONOTONIC nanoseconds, plus
// a wait helper that takes its clock as an interface so tests can fake it.
#pragma once

#include <cstdint>
#include <span>

namespace pathmap::tx {

struct PacerConfig {
    uint64_t rate_pps = 0; // 0 = unpaced
    // Probes banked while the caller is idle (after pause()): the burst a new
    // round may start with. 0 = 5 ms worth (max(1, rate/200)).
    uint32_t burst = 0;
    // Lateness recovered while the caller is backlogged. A router's ICMP rate
    // limit punishes a burst with silence, and an Internet prober is judged by
    // its peak, so a sender descheduled for longer does not burst the debt
    // out: past this window the shortfall is counted in lost(). A 10 ms
    // window then carries at most what the bank holds plus what accrues in
    // it: 1.8 times its share with these defaults, which leaves room for the
    // kernel's own batching on the wire (the bound is 2x plus 8; tcpdump in
    // the first router saw 2,011 in 10 ms at 100 kpps with 10 ms banks). The
    // 1 s window this replaced held the average through 150 ms stalls but
    // sent 11x the share in one 10 ms.
    uint64_t catch_up_ns = 8'000'000;
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

// One send: when (CLOCK_MONOTONIC ns) and how many probes went.
struct SendEvent {
    uint64_t ns;
    uint32_t probes;
};
// The most probes in any window_ns window of time-ordered send events: what
// the bounded-burst rule (no 10 ms window above twice its share) is checked on.
uint64_t busiest_window(std::span<const SendEvent> sends, uint64_t window_ns = 10'000'000) noexcept;

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
