// sweep --shard K/N: the N parts of a target set are disjoint, their union
// is the whole, sizes differ by at most one, each part is spread over the
// address range, the same seed gives the same split, and K/N is parsed
// strictly.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "userspace/engine/sched/target_shard.h"

namespace pathmap::sched
{
namespace
{

std::vector<uint32_t> sample_targets(size_t n)
{
    std::vector<uint32_t> t;
    // 198.19.0.0/16, every 7th address: sorted, unique, not contiguous.
    for (size_t i = 0; i < n; ++i)
        t.push_back(0xC6130000u + static_cast<uint32_t>(i * 7));
    return t;
}

TEST(TargetShard, PartsAreDisjointAndCoverTheWhole)
{
    for (size_t n : {0u, 1u, 2u, 5u, 100u, 1001u, 65537u}) {
        const auto targets = sample_targets(n);
        for (uint32_t parts : {1u, 2u, 3u, 7u, 64u}) {
            std::vector<uint32_t> all;
            size_t smallest = SIZE_MAX, largest = 0;
            for (uint32_t k = 1; k <= parts; ++k) {
                const auto part = shard_targets(targets, {.index = k, .count = parts}, 42);
                EXPECT_TRUE(std::is_sorted(part.begin(), part.end()));
                smallest = std::min(smallest, part.size());
                largest = std::max(largest, part.size());
                all.insert(all.end(), part.begin(), part.end());
            }
            std::sort(all.begin(), all.end());
            // Equal to the whole set: nothing lost, nothing probed twice.
            EXPECT_EQ(all, targets) << n << " targets in " << parts << " parts";
            EXPECT_LE(largest - smallest, 1u) << n << " targets in " << parts << " parts";
        }
    }
}

TEST(TargetShard, EachPartSpreadsOverTheRange)
{
    // Not one block per shard: each of 4 parts holds addresses from every
    // quarter of the sorted set (a block split would hold one quarter each).
    const auto targets = sample_targets(4000);
    for (uint32_t k = 1; k <= 4; ++k) {
        std::set<size_t> quarters;
        for (uint32_t a : shard_targets(targets, {.index = k, .count = 4}, 9)) {
            const auto pos = std::lower_bound(targets.begin(), targets.end(), a) - targets.begin();
            quarters.insert(static_cast<size_t>(pos) * 4 / targets.size());
        }
        EXPECT_EQ(quarters.size(), 4u) << "shard " << k;
    }
}

TEST(TargetShard, SameSeedSameSplitOtherSeedAnother)
{
    const auto targets = sample_targets(500);
    EXPECT_EQ(shard_targets(targets, {.index = 2, .count = 3}, 5),
              shard_targets(targets, {.index = 2, .count = 3}, 5));
    EXPECT_NE(shard_targets(targets, {.index = 2, .count = 3}, 5),
              shard_targets(targets, {.index = 2, .count = 3}, 6));
}

TEST(TargetShard, ParsesKOfN)
{
    ASSERT_TRUE(parse_shard("1/1"));
    EXPECT_EQ(parse_shard("3/8")->index, 3u);
    EXPECT_EQ(parse_shard("3/8")->count, 8u);
    EXPECT_TRUE(parse_shard("65536/65536"));
    for (const char *bad :
         {"", "3", "0/4", "5/4", "1/0", "-1/4", "1/-4", "a/b", "1/4/2", "1 /4", "1/65537", "/4", "2/"})
        EXPECT_FALSE(parse_shard(bad)) << bad;
}

} // namespace
} // namespace pathmap::sched
