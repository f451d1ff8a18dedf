// Pacer arithmetic on a synthetic clock (no sleeping, no timing).
#include <gtest/gtest.h>

#include "userspace/engine/tx/pacer.h"

using pathmap::tx::Pacer;
using pathmap::tx::PacerConfig;

namespace {
// Drives a pacer with a greedy sender polled every `step_ns` for `dur_ns`.
uint64_t simulate(uint64_t rate, uint64_t step_ns, uint64_t dur_ns, uint64_t want_per_poll)
{
    Pacer p(PacerConfig{.rate_pps = rate});
    uint64_t sent = 0;
    const uint64_t t0 = 1'000'000'000'000ull;
    for (uint64_t t = t0; t < t0 + dur_ns; t += step_ns) {
        const uint64_t n = p.allowance(t, want_per_poll);
        p.consume(n);
        sent += n;
    }
    return sent;
}
} // namespace

TEST(Pacer, UnpacedAllowsEverything)
{
    Pacer p(PacerConfig{});
    EXPECT_EQ(p.allowance(0, 1000), 1000u);
    EXPECT_EQ(p.wait_ns(0), 0u);
}

TEST(Pacer, ExactRateOverFiveSeconds)
{
    for (uint64_t rate : {1'000ull, 100'000ull, 1'000'000ull, 2'000'000ull}) {
        for (uint64_t step : {1'000ull, 37'000ull, 250'000ull}) {
            const uint64_t sent = simulate(rate, step, 5'000'000'000ull, 64);
            const double want = double(rate) * 5;
            // Polled often enough to use the 1 ms burst: exact to a batch.
            if (step * rate / 1'000'000'000ull < 64 && step <= 1'000'000) {
                EXPECT_NEAR(double(sent), want, want * 0.001 + 64) << rate << " " << step;
            }
            EXPECT_LE(double(sent), want + 64 + rate / 1000.0) << rate << " " << step;
        }
    }
}

TEST(Pacer, BurstCapsIdleCredit)
{
    Pacer p(PacerConfig{.rate_pps = 1'000'000, .burst = 100});
    EXPECT_EQ(p.allowance(0, 1'000'000), 1u); // first probe at once
    p.consume(1);
    EXPECT_EQ(p.allowance(10'000'000'000ull, 1'000'000), 100u); // 10 s idle: only the burst
    p.consume(100);
    EXPECT_EQ(p.allowance(10'000'000'000ull, 1'000'000), 0u);
    EXPECT_LE(p.wait_ns(10'000'000'000ull), 1000u); // at most 1 us per probe at 1 Mpps
    EXPECT_EQ(p.allowance(10'000'001'000ull, 5), 1u);
}

TEST(Pacer, ConsumeLessThanAllowedKeepsCredit)
{
    Pacer p(PacerConfig{.rate_pps = 1000, .burst = 10});
    p.allowance(0, 10);
    p.consume(0);
    EXPECT_EQ(p.allowance(5'000'000, 10), 6u); // 1 initial + 5 ms * 1/ms
    p.consume(2);
    EXPECT_EQ(p.allowance(5'000'000, 10), 4u);
}

TEST(Pacer, WaitForChunk)
{
    Pacer p(PacerConfig{.rate_pps = 100'000}); // 10 us per probe, burst 10000 (100 ms)
    EXPECT_EQ(p.chunk(64), 10u);               // 100 us worth
    EXPECT_EQ(Pacer(PacerConfig{.rate_pps = 1'000'000}).chunk(64), 64u);
    EXPECT_EQ(Pacer(PacerConfig{.rate_pps = 1'000}).chunk(64), 1u);
    p.consume(p.allowance(0, 100)); // the initial probe
    EXPECT_EQ(p.wait_ns(0, 10), 100'000u);
    EXPECT_EQ(p.allowance(99'999, 10), 9u);
    EXPECT_EQ(p.allowance(100'000, 10), 10u);
    EXPECT_EQ(p.burst(), 10'000u);
}
