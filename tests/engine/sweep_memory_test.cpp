// The sweep's memory estimate, checked before the first probe.
#include <gtest/gtest.h>

#include "userspace/engine/sweep/sweep_run.h"

using pathmap::sweep::estimate_sweep_bytes;
using pathmap::sweep::format_bytes;

TEST(SweepMemory, EstimateScalesWithTargetsFlowsAndTtls)
{
    const uint64_t s16 = estimate_sweep_bytes(65536, 1, 32, true);
    EXPECT_GT(s16, 97ull << 20);  // at least what the default testbed's /16 measured
    EXPECT_LT(s16, 256ull << 20); // and not absurdly more
    EXPECT_GT(estimate_sweep_bytes(65536, 2, 32, true), s16);
    EXPECT_GT(estimate_sweep_bytes(65536, 1, 64, true), s16);
    EXPECT_LT(estimate_sweep_bytes(65536, 1, 32, false), s16);
    // A /8 --all-hosts sweep is refused by the 4 GiB default.
    EXPECT_GT(estimate_sweep_bytes(1u << 24, 1, 32, true), 4ull << 30);
    EXPECT_EQ(format_bytes(512ull << 20), "512 MiB");
    EXPECT_EQ(format_bytes(4ull << 30), "4.0 GiB");
}
