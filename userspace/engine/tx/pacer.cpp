// Token bucket in exact integer arithmetic: credit is kept in units of
// 1e-9 probe, and every elapsed nanosecond adds rate_pps of them, so no
// rounding error accumulates however long the run.
#include "userspace/engine/tx/pacer.h"

#include <time.h>

#include <algorithm>

namespace pathmap::tx {
namespace {
constexpr uint64_t kUnit = 1'000'000'000ull; // credit units per probe
constexpr uint64_t kMaxElapsedNs = 1'000'000'000ull; // cap before multiplying: no overflow
} // namespace

Pacer::Pacer(PacerConfig cfg) noexcept : cfg_(cfg)
{
    if (cfg_.burst == 0) cfg_.burst = static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(cfg_.rate_pps / 10, 1u << 20)));
}

uint64_t Pacer::allowance(uint64_t now_ns, uint64_t want) noexcept
{
    if (cfg_.rate_pps == 0) return want;
    if (!started_) {
        started_ = true;
        last_ns_ = now_ns;
        credit_ = kUnit; // the first probe goes at once
    } else if (now_ns > last_ns_) {
        const uint64_t elapsed = std::min(now_ns - last_ns_, kMaxElapsedNs);
        // Keep the fraction of the next probe above a full burst: clipping at
        // exactly `burst` would drop progress at every poll and run slow.
        credit_ = std::min(credit_ + elapsed * cfg_.rate_pps, (uint64_t{cfg_.burst} + 1) * kUnit - 1);
        last_ns_ = now_ns;
    }
    return std::min(want, credit_ / kUnit);
}

void Pacer::consume(uint64_t sent) noexcept
{
    if (cfg_.rate_pps == 0) return;
    const uint64_t cost = sent * kUnit;
    credit_ = cost > credit_ ? 0 : credit_ - cost;
}

uint64_t Pacer::wait_ns(uint64_t now_ns, uint64_t n) const noexcept
{
    if (cfg_.rate_pps == 0 || !started_) return 0;
    n = std::min<uint64_t>(std::max<uint64_t>(n, 1), cfg_.burst);
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

uint64_t monotonic_ns() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

} // namespace pathmap::tx
