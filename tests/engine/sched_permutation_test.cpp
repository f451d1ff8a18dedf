// The Feistel permutation visits every element exactly once, for many sizes
// and seeds, and different seeds give different orders.
#include <gtest/gtest.h>

#include <vector>

#include "userspace/engine/sched/permutation.h"

using pathmap::sched::Permutation;

TEST(Permutation, CoversEveryIndexExactlyOnce)
{
    for (uint64_t n : std::initializer_list<uint64_t>{1ull, 2ull, 3ull, 5ull, 16ull, 17ull, 255ull, 1000ull, 4097ull, 65536ull * 32 + 7}) {
        for (uint64_t seed : std::initializer_list<uint64_t>{0ull, 1ull, 42ull, 0xdeadbeefull}) {
            Permutation p(n, seed);
            std::vector<uint8_t> seen(n, 0);
            for (uint64_t i = 0; i < n; ++i) {
                const uint64_t x = p.at(i);
                ASSERT_LT(x, n) << "n=" << n << " seed=" << seed;
                ASSERT_EQ(seen[x], 0) << "repeat of " << x << " n=" << n << " seed=" << seed;
                seen[x] = 1;
            }
        }
    }
}

TEST(Permutation, TargetTtlPairsAllCovered)
{
    const uint64_t targets = 300;
    const uint8_t max_ttl = 32;
    Permutation p(targets * max_ttl, 7);
    std::vector<uint32_t> ttl_mask(targets, 0);
    for (uint64_t i = 0; i < p.size(); ++i) {
        auto tt = pathmap::sched::split_target_ttl(p.at(i), max_ttl);
        ASSERT_GE(tt.ttl, 1);
        ASSERT_LE(tt.ttl, max_ttl);
        ASSERT_FALSE(ttl_mask[tt.target] & (1u << (tt.ttl - 1)));
        ttl_mask[tt.target] |= 1u << (tt.ttl - 1);
    }
    for (uint32_t m : ttl_mask) EXPECT_EQ(m, 0xffffffffu);
}

TEST(Permutation, SeedChangesOrderAndScrambles)
{
    const uint64_t n = 1000;
    Permutation a(n, 1), b(n, 2);
    int same = 0, identity = 0;
    for (uint64_t i = 0; i < n; ++i) {
        same += a.at(i) == b.at(i);
        identity += a.at(i) == i;
    }
    EXPECT_LT(same, 50);
    EXPECT_LT(identity, 50);
    // Consecutive indices land far apart: load spreads over targets.
    uint64_t adjacent = 0;
    for (uint64_t i = 0; i + 1 < n; ++i) adjacent += (a.at(i) + 1 == a.at(i + 1));
    EXPECT_LT(adjacent, 20u);
}
