// Token bucket in exact integer arithmetic: credit is kept in units of
// 1e-9 probe, and every elapsed nanosecond adds rate_pps of them, so no
// rounding error accumulates however long the run. The bank holds catch_up_ns
// of lateness while the caller is backlogged (a late wakeup is repaid at the
// next call) and `burst` across its idle periods (8 ms and 5 ms by default),
// which bounds every 10 ms window to 1.8 times its share.
#include "userspace/engine/tx/pacer.h"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <limits>

namespace pathmap::tx {
namespace {
constexpr uint64_t kUnit = 1'000'000'000ull; // credit units per probe
} // namespace

Pacer::Pacer(PacerConfig cfg) noexcept : cfg_(cfg)
{
    if (cfg_.burst == 0) cfg_.burst = static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(cfg_.rate_pps / 200, 1u << 30)));
    // Bounded so that (catch_up + 1) * kUnit fits comfortably in 64 bits.
    const uint64_t window = cfg_.rate_pps == 0 ? 0 : cfg_.rate_pps / 1000 * (cfg_.catch_up_ns / 1'000'000) +
                                                         cfg_.rate_pps % 1000 * (cfg_.catch_up_ns / 1'000'000) / 1000;
    catch_up_ = std::clamp<uint64_t>(window, cfg_.burst, uint64_t{1} << 32);
}

void Pacer::accrue(uint64_t now_ns, uint64_t cap) noexcept
{
    if (now_ns <= last_ns_) return;
    uint64_t elapsed = now_ns - last_ns_;
    last_ns_ = now_ns;
    // Past the time that fills the bank from empty, more elapsed time only
    // adds excess; clamp it before multiplying so nothing overflows.
    const uint64_t fill_ns = (cap + 1) * kUnit / cfg_.rate_pps + 1;
    if (elapsed > fill_ns) {
        if (!paused_) lost_ += static_cast<uint64_t>(double(elapsed - fill_ns) * double(cfg_.rate_pps) / 1e9);
        elapsed = fill_ns;
    }
    credit_ += elapsed * cfg_.rate_pps;
    // Keep the fraction of the next probe above a full bank: clipping at
    // exactly `cap` would drop progress at every poll and run slow.
    const uint64_t limit = (cap + 1) * kUnit - 1;
    if (credit_ > limit) {
        if (!paused_) lost_ += (credit_ - limit) / kUnit;
        credit_ = limit;
    }
}

uint64_t Pacer::allowance(uint64_t now_ns, uint64_t want) noexcept
{
    if (cfg_.rate_pps == 0) return want;
    if (!started_) {
        started_ = true;
        last_ns_ = now_ns;
        credit_ = kUnit; // the first probe goes at once
    } else {
        accrue(now_ns, paused_ ? cfg_.burst : catch_up_);
    }
    paused_ = false;
    return std::min(want, credit_ / kUnit);
}

void Pacer::consume(uint64_t sent) noexcept
{
    if (cfg_.rate_pps == 0) return;
    const uint64_t cost = sent * kUnit;
    credit_ = cost > credit_ ? 0 : credit_ - cost;
}

void Pacer::pause(uint64_t now_ns) noexcept
{
    if (cfg_.rate_pps == 0 || !started_) return;
    if (!paused_) accrue(now_ns, catch_up_);
    credit_ = std::min(credit_, (uint64_t{cfg_.burst} + 1) * kUnit - 1);
    paused_ = true;
}

uint64_t Pacer::wait_ns(uint64_t now_ns, uint64_t n) const noexcept
{
    if (cfg_.rate_pps == 0 || !started_) return 0;
    n = std::clamp<uint64_t>(n, 1, catch_up_);
    if (credit_ >= n * kUnit) return 0;
    const uint64_t missing = n * kUnit - credit_;
    const uint64_t need = (missing + cfg_.rate_pps - 1) / cfg_.rate_pps;
    const uint64_t elapsed = now_ns > last_ns_ ? now_ns - last_ns_ : 0;
    return need > elapsed ? need - elapsed : 0;
}

uint64_t Pacer::chunk(uint64_t max_chunk) const noexcept
{
    if (cfg_.rate_pps == 0) return std::max<uint64_t>(max_chunk, 1);
    return std::clamp<uint64_t>(cfg_.rate_pps / 10'000, 1, std::max<uint64_t>(std::min<uint64_t>(max_chunk, cfg_.burst), 1));
}

uint64_t busiest_window(std::span<const SendEvent> sends, uint64_t window_ns) noexcept
{
    uint64_t peak = 0, in_window = 0;
    size_t first = 0;
    for (size_t i = 0; i < sends.size(); ++i) {
        in_window += sends[i].probes;
        while (sends[i].ns - sends[first].ns >= window_ns) in_window -= sends[first++].probes;
        peak = std::max(peak, in_window);
    }
    return peak;
}

uint64_t monotonic_ns() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

MonotonicClock::MonotonicClock() noexcept { prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0); }

void MonotonicClock::sleep_ns(uint64_t ns) noexcept
{
    const timespec ts{.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull), .tv_nsec = static_cast<long>(ns % 1'000'000'000ull)};
    nanosleep(&ts, nullptr);
}

PaceWait await_allowance(Pacer &pacer, PaceClock &clock, uint64_t n, uint64_t want, uint64_t spin_ns) noexcept
{
    // More than the bank can hold would never come due.
    const uint64_t need = std::min({std::max<uint64_t>(n, 1), want, pacer.catch_up()});
    uint64_t now = clock.now_ns();
    for (;;) {
        const uint64_t allowed = pacer.allowance(now, want);
        if (allowed >= need || pacer.rate_pps() == 0) return {allowed, now};
        const uint64_t wait = pacer.wait_ns(now, need);
        if (wait > spin_ns) clock.sleep_ns(wait - spin_ns);
        now = clock.now_ns();
    }
}

} // namespace pathmap::tx
