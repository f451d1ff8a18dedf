// HopTable: rows per address, ??? rows, flow attribution of Snt.
#include <gtest/gtest.h>

#include "userspace/mtr/hop_table.h"

using namespace pathmap::mtr;

TEST(HopTable, AllLostShowsOneUnknownRow)
{
    HopTable t(1, 30, 1);
    for (int i = 0; i < 10; ++i)
        for (int ttl = 1; ttl <= 30; ++ttl) t.on_lost(static_cast<uint8_t>(ttl), 0);
    auto rows = t.rows();
    ASSERT_EQ(rows.size(), 1u); // mtr shows a single ??? when nothing answers
    EXPECT_FALSE(rows[0].addr.has_value());
    EXPECT_EQ(rows[0].sent, 10u);
    EXPECT_EQ(rows[0].recv, 0u);
    EXPECT_DOUBLE_EQ(rows[0].loss_pct(), 100.0);
    EXPECT_FALSE(t.reached());
}

TEST(HopTable, StopsAtDestinationAndShowsGaps)
{
    HopTable t(1, 30, 1);
    t.on_answered(1, 0, 0x0a000001, 100, false);
    t.on_lost(2, 0);
    t.on_answered(3, 0, 0x0a000003, 300, true);
    t.on_answered(4, 0, 0x0a000003, 300, true); // beyond the destination: hidden
    EXPECT_TRUE(t.reached());
    EXPECT_EQ(t.probe_limit(), 3);
    auto rows = t.rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].addr, 0x0a000001u);
    EXPECT_FALSE(rows[1].addr.has_value());
    EXPECT_EQ(rows[1].sent, 1u);
    EXPECT_EQ(rows[2].ttl, 3);
}

TEST(HopTable, TwoAddressesAtOneTtlGetTheirOwnRows)
{
    // Two flows, each hashed to its own branch; flow 1 loses 2 of 4.
    HopTable t(1, 30, 2);
    for (int i = 0; i < 4; ++i) t.on_answered(2, 0, 0x0a000021, 1000 + i, false);
    for (int i = 0; i < 2; ++i) t.on_answered(2, 1, 0x0a000022, 5000, false);
    t.on_lost(2, 1);
    t.on_lost(2, 1);
    t.on_answered(1, 0, 0x0a000001, 10, false);
    auto rows = t.rows();
    ASSERT_EQ(rows.size(), 4u); // ttl 1, two rows at ttl 2, trailing ??? at ttl 3
    EXPECT_EQ(rows[1].addr, 0x0a000021u);
    EXPECT_TRUE(rows[1].first_at_ttl);
    EXPECT_EQ(rows[1].sent, 4u);
    EXPECT_DOUBLE_EQ(rows[1].loss_pct(), 0.0);
    EXPECT_EQ(rows[1].flows, std::vector<uint16_t>{0});
    EXPECT_EQ(rows[2].addr, 0x0a000022u);
    EXPECT_FALSE(rows[2].first_at_ttl);
    EXPECT_EQ(rows[2].sent, 4u);
    EXPECT_DOUBLE_EQ(rows[2].loss_pct(), 50.0);
    EXPECT_DOUBLE_EQ(rows[2].rtt->mean_us(), 5000.0);
    EXPECT_FALSE(rows[3].addr.has_value());

    auto p1 = t.flow_path(1);
    ASSERT_GE(p1.size(), 2u);
    EXPECT_EQ(p1[1].addr, 0x0a000022u);
    EXPECT_EQ(p1[1].sent, 4u);
    EXPECT_EQ(p1[1].recv, 2u);
    EXPECT_FALSE(p1[0].addr.has_value()); // flow 1 never answered at TTL 1
}

TEST(HopTable, PerPacketBalancingSharesProbes)
{
    // One flow alternating between two addresses: each gets half the probes.
    HopTable t(1, 5, 1);
    for (int i = 0; i < 6; ++i) t.on_answered(1, 0, i % 2 ? 0x0a000002 : 0x0a000001, 100, false);
    t.on_lost(1, 0);
    t.on_lost(1, 0);
    auto rows = t.rows();
    ASSERT_GE(rows.size(), 2u);
    EXPECT_EQ(rows[0].sent, 4u);
    EXPECT_EQ(rows[1].sent, 4u);
    EXPECT_EQ(rows[0].recv + rows[1].recv, 6u);
}

TEST(HopTable, LateRepliesAreCountedNotTimed)
{
    HopTable t(1, 5, 1);
    t.on_answered(1, 0, 7, 100, false);
    t.on_lost(1, 0);
    t.on_late(1, 0, 7);
    auto rows = t.rows();
    EXPECT_EQ(rows[0].late, 1u);
    EXPECT_EQ(rows[0].recv, 1u);
    EXPECT_EQ(rows[0].sent, 2u);
    EXPECT_EQ(rows[0].rtt->count(), 1u);
}

TEST(HopTable, OnlyLateRepliesStillCountTheirProbes)
{
    // Every reply slower than the timeout: the row exists, all its probes lost.
    HopTable t(1, 5, 1);
    for (int i = 0; i < 4; ++i) {
        t.on_lost(2, 0);
        t.on_late(2, 0, 9, true);
    }
    auto rows = t.rows();
    ASSERT_EQ(rows.size(), 2u); // ??? at TTL 1, the late destination at TTL 2
    EXPECT_EQ(rows[1].addr, 9u);
    EXPECT_EQ(rows[1].sent, 4u);
    EXPECT_EQ(rows[1].recv, 0u);
    EXPECT_EQ(rows[1].late, 4u);
    EXPECT_DOUBLE_EQ(rows[1].loss_pct(), 100.0);
    EXPECT_TRUE(t.reached());
}

TEST(HopTable, RejectsBadRanges)
{
    EXPECT_THROW(HopTable(0, 30, 1), std::invalid_argument);
    EXPECT_THROW(HopTable(5, 4, 1), std::invalid_argument);
    EXPECT_THROW(HopTable(1, 4, 0), std::invalid_argument);
}
