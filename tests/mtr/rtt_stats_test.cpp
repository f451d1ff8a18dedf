// RttStats against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "userspace/mtr/rtt_stats.h"

using pathmap::mtr::RttStats;

TEST(RttStats, EmptyIsAllZero)
{
    RttStats s;
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.mean_us(), 0.0);
    EXPECT_EQ(s.best_us(), 0.0);
    EXPECT_EQ(s.worst_us(), 0.0);
    EXPECT_EQ(s.stdev_us(), 0.0);
    EXPECT_EQ(s.jitter_us(), 0.0);
}

TEST(RttStats, SingleSample)
{
    RttStats s;
    s.add(1234.5);
    EXPECT_EQ(s.count(), 1u);
    EXPECT_DOUBLE_EQ(s.mean_us(), 1234.5);
    EXPECT_DOUBLE_EQ(s.last_us(), 1234.5);
    EXPECT_DOUBLE_EQ(s.best_us(), 1234.5);
    EXPECT_DOUBLE_EQ(s.worst_us(), 1234.5);
    EXPECT_EQ(s.stdev_us(), 0.0);  // mtr: no deviation from one sample
    EXPECT_EQ(s.jitter_us(), 0.0); // no successive pair yet
}

TEST(RttStats, ThreeSamplesByHand)
{
    // 10, 20, 40: mean 70/3; squared deviations 1600/9 + 100/9 + 2500/9 =
    // 4200/9; sample variance 4200/18 = 233.33..., sd 15.2753;
    // successive differences 10 and 20: jitter 15.
    RttStats s;
    s.add(10);
    s.add(20);
    s.add(40);
    EXPECT_NEAR(s.mean_us(), 70.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.stdev_us(), std::sqrt(4200.0 / 18.0), 1e-12);
    EXPECT_DOUBLE_EQ(s.jitter_us(), 15.0);
    EXPECT_DOUBLE_EQ(s.best_us(), 10.0);
    EXPECT_DOUBLE_EQ(s.worst_us(), 40.0);
    EXPECT_DOUBLE_EQ(s.last_us(), 40.0);
}

TEST(RttStats, JitterUsesOrderNotSpread)
{
    // Same values, different order: same mean and sd, different jitter.
    RttStats a, b;
    for (double v : {10.0, 40.0, 10.0, 40.0}) a.add(v); // |30|,|30|,|30| -> 30
    for (double v : {10.0, 10.0, 40.0, 40.0}) b.add(v); // 0, 30, 0 -> 10
    EXPECT_DOUBLE_EQ(a.mean_us(), b.mean_us());
    EXPECT_NEAR(a.stdev_us(), b.stdev_us(), 1e-12);
    EXPECT_DOUBLE_EQ(a.jitter_us(), 30.0);
    EXPECT_DOUBLE_EQ(b.jitter_us(), 10.0);
}

TEST(RttStats, HugeSpread)
{
    // 1 us and 10 s: mean 5000000.5, sd = |a-b|/sqrt(2).
    RttStats s;
    s.add(1.0);
    s.add(10'000'000.0);
    EXPECT_DOUBLE_EQ(s.mean_us(), 5'000'000.5);
    EXPECT_NEAR(s.stdev_us(), 9'999'999.0 / std::sqrt(2.0), 1e-6);
    EXPECT_DOUBLE_EQ(s.jitter_us(), 9'999'999.0);
    EXPECT_DOUBLE_EQ(s.best_us(), 1.0);
    EXPECT_DOUBLE_EQ(s.worst_us(), 10'000'000.0);
}

TEST(RttStats, LongRunKeepsPrecision)
{
    // Two million samples alternating 1e9 and 1e9+1 us: the naive
    // sum-of-squares formula loses the 0.25 variance entirely in doubles.
    RttStats s;
    const int n = 2'000'000;
    for (int i = 0; i < n; ++i) s.add(1e9 + (i % 2));
    EXPECT_NEAR(s.mean_us(), 1e9 + 0.5, 1e-6);
    double expected_sd = std::sqrt(0.25 * n / (n - 1));
    EXPECT_NEAR(s.stdev_us(), expected_sd, 1e-6);
    EXPECT_NEAR(s.jitter_us(), 1.0, 1e-9);
}
