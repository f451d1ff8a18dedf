// Matching crafted reply records: RTT from the 24-bit send time, every
// rejection reason, terminal hops and trace assembly.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "pathmap/ipv4.h"
#include "userspace/engine/match/reply_matcher.h"
#include "userspace/engine/match/trace_assembly.h"

using namespace pathmap;
using namespace pathmap::match;

namespace {

uint32_t ip(const char *s) { return *parse_ipv4(s); }

constexpr uint64_t kRx = 5'000'000'123'456ull; // arbitrary CLOCK_MONOTONIC arrival

pm_reply_record rec(const char *from, const char *dst, uint8_t ttl, uint64_t rtt_ns, uint8_t kind = PM_REPLY_TIME_EXCEEDED,
                    uint16_t flow = 0)
{
    pm_reply_record r{};
    r.rx_ns = kRx;
    r.reply_src = htonl(ip(from));
    r.probe_dst = htonl(ip(dst));
    r.probe_ts = probe::ts24_from_ns(kRx - rtt_ns);
    r.flow_id = flow;
    r.kind = kind;
    r.proto = PM_PROTO_ICMP;
    r.probe_ttl = ttl;
    r.reply_ttl = 60;
    r.quoted_ttl = kind == PM_REPLY_TIME_EXCEEDED ? 1 : 0;
    r.icmp_type = kind == PM_REPLY_TIME_EXCEEDED ? 11 : kind == PM_REPLY_DEST_UNREACH ? 3 : 0;
    return r;
}

struct Fixture : testing::Test {
    TraceTable table{{ip("198.19.1.7"), ip("198.19.2.9")}, TraceTableConfig{.num_flows = 2, .max_ttl = 16}};
    ReplyMatcher m{table, MatchConfig{.proto = probe::Proto::icmp, .wait_ns = 2'000'000'000}};
    uint64_t rejected(Reject r) const { return m.stats().rejected[static_cast<size_t>(r)]; }
    void sent(const char *dst, uint8_t ttl, uint16_t flow = 0)
    {
        table.mark_sent(table.trace_index(*table.find_target(ip(dst)), flow), ttl);
    }
};

} // namespace

TEST(Rtt, FromTimestampWithin10us)
{
    for (uint64_t rtt : std::initializer_list<uint64_t>{0, 9999, 10000, 123456, 20000000, 1999990000}) {
        for (uint64_t rx : std::initializer_list<uint64_t>{kRx, kRx + 7777, 167772150000ull * 3 + 5}) {
            const uint64_t got = rtt_ns_from(probe::ts24_from_ns(rx - rtt), rx);
            EXPECT_NEAR(static_cast<double>(got), static_cast<double>(rtt), 10'000.0) << rtt << " at " << rx;
        }
    }
}

// In the first 167.8 s after boot (the 24-bit stamp's period) a stamp above
// the arrival's is no probe of this boot: rejected as late, not an RTT of 0.
TEST(Rtt, StampFromBeforeBootIsNoRtt)
{
    const uint64_t rx = 100'000'000'000ull; // 100 s after boot
    EXPECT_EQ(probe::send_ns_from_ts24(probe::ts24_from_ns(150'000'000'000ull), rx), 0u);
    EXPECT_EQ(rtt_ns_from(probe::ts24_from_ns(150'000'000'000ull), rx), UINT64_MAX);
    EXPECT_NEAR(static_cast<double>(rtt_ns_from(probe::ts24_from_ns(rx - 5'000'000), rx)), 5e6, 1e4);
    // After the first period the same stamp is a probe of 167.8 s ago minus the difference.
    EXPECT_NE(probe::send_ns_from_ts24(probe::ts24_from_ns(150'000'000'000ull), 200'000'000'000ull), 0u);
}

TEST_F(Fixture, MatchesTimeExceededWithRtt)
{
    sent("198.19.1.7", 3);
    auto out = m.on_reply(rec("198.18.1.2", "198.19.1.7", 3, 1'500'000));
    ASSERT_TRUE(out.matched);
    const size_t tr = table.trace_index(0, 0);
    EXPECT_EQ(out.trace, tr);
    ASSERT_TRUE(table.answered(tr, 3));
    EXPECT_EQ(table.hop(tr, 3).addr, ip("198.18.1.2"));
    EXPECT_NEAR(table.hop(tr, 3).rtt_us, 1500, 10);
    EXPECT_EQ(table.terminal_ttl(tr), 0);
    EXPECT_EQ(m.stats().matched, 1u);
}

TEST_F(Fixture, RejectsEveryBadReasonAndCountsIt)
{
    sent("198.19.1.7", 3);
    sent("198.19.1.7", 4);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.9.9", 3, 1000)).matched);
    EXPECT_EQ(rejected(Reject::unknown_target), 1u);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 0, 1000)).matched);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 17, 1000)).matched);
    EXPECT_EQ(rejected(Reject::ttl_out_of_range), 2u);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 3, 1000, PM_REPLY_TIME_EXCEEDED, 2)).matched);
    EXPECT_EQ(rejected(Reject::flow_out_of_range), 1u);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 5, 1000)).matched);
    EXPECT_EQ(rejected(Reject::not_sent), 1u);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 3, 2'500'000'000ull)).matched);
    EXPECT_EQ(rejected(Reject::late), 1u);
    auto tcp = rec("198.19.1.7", "198.19.1.7", 3, 1000, PM_REPLY_TCP_RST);
    EXPECT_FALSE(m.on_reply(tcp).matched);
    EXPECT_EQ(rejected(Reject::wrong_kind), 1u);
    auto udp = rec("198.18.1.2", "198.19.1.7", 3, 1000);
    udp.proto = PM_PROTO_UDP;
    EXPECT_FALSE(m.on_reply(udp).matched);
    EXPECT_EQ(rejected(Reject::wrong_proto), 1u);
    // Nothing was stored by the rejects; the real one still matches once.
    EXPECT_FALSE(table.answered(table.trace_index(0, 0), 3));
    EXPECT_TRUE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 3, 1000)).matched);
    EXPECT_FALSE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 3, 2000)).matched);
    EXPECT_EQ(rejected(Reject::duplicate), 1u);
    EXPECT_EQ(m.stats().matched, 1u);
    EXPECT_EQ(m.stats().rejected_total(), 9u);
}

TEST_F(Fixture, FlowsAreSeparateTraces)
{
    sent("198.19.2.9", 2, 1);
    EXPECT_FALSE(m.on_reply(rec("10.0.0.2", "198.19.2.9", 2, 1000, PM_REPLY_TIME_EXCEEDED, 0)).matched);
    auto out = m.on_reply(rec("10.0.0.2", "198.19.2.9", 2, 1000, PM_REPLY_TIME_EXCEEDED, 1));
    ASSERT_TRUE(out.matched);
    EXPECT_EQ(out.trace, table.trace_index(1, 1));
}

TEST_F(Fixture, TerminalHopsAndAssembly)
{
    for (uint8_t t = 1; t <= 16; ++t) sent("198.19.1.7", t);
    ASSERT_TRUE(m.on_reply(rec("198.18.0.1", "198.19.1.7", 1, 100'000)).matched);
    ASSERT_TRUE(m.on_reply(rec("198.18.1.2", "198.19.1.7", 2, 200'000)).matched);
    ASSERT_TRUE(m.on_reply(rec("198.19.1.7", "198.19.1.7", 16, 900'000, PM_REPLY_ECHO_REPLY)).matched); // preprobe
    auto with_mpls = rec("198.18.1.22", "198.19.1.7", 4, 300'000);
    with_mpls.mpls_count = 2;
    with_mpls.mpls[0] = (16001u << 12) | 0x100 | 1;
    with_mpls.mpls[1] = (299u << 12) | 0x1ff;
    ASSERT_TRUE(m.on_reply(with_mpls).matched);
    ASSERT_TRUE(m.on_reply(rec("198.19.1.7", "198.19.1.7", 5, 400'000, PM_REPLY_ECHO_REPLY)).matched);
    const size_t tr = table.trace_index(0, 0);
    EXPECT_EQ(table.terminal_ttl(tr), 5);
    Trace t = assemble_trace(table, tr, StopReason::gap_limit);
    EXPECT_EQ(t.dst, "198.19.1.7");
    EXPECT_TRUE(t.reached);
    EXPECT_EQ(t.stop_reason, "reached");
    // TTL 1, 2, 3 (probed, silent), 4, 5; the TTL-16 preprobe is beyond the end.
    ASSERT_EQ(t.hops.size(), 5u);
    EXPECT_EQ(t.first_ttl, 1);
    EXPECT_EQ(t.hops[2].ttl, 3);
    EXPECT_TRUE(t.hops[2].addr.empty());
    EXPECT_EQ(t.hops[3].ttl, 4);
    EXPECT_EQ(t.hops[3].mpls_labels, (std::vector<uint32_t>{16001, 299}));
    EXPECT_EQ(t.hops[4].addr, "198.19.1.7");
    EXPECT_EQ(t.hops[4].icmp_type, 0);
    EXPECT_NEAR(t.hops[1].rtt_ms, 0.2, 0.011);

    // A router's unreachable ends the other target's trace, not reached.
    sent("198.19.2.9", 3);
    auto unreach = rec("198.18.1.22", "198.19.2.9", 3, 1000, PM_REPLY_DEST_UNREACH);
    unreach.icmp_code = 1;
    ASSERT_TRUE(m.on_reply(unreach).matched);
    Trace u = assemble_trace(table, table.trace_index(1, 0), StopReason::gap_limit);
    EXPECT_EQ(u.first_ttl, 3); // TTLs 1-2 never sent: no hops for them
    ASSERT_EQ(u.hops.size(), 1u);
    EXPECT_EQ(u.hops[0].ttl, 3);
    EXPECT_FALSE(u.reached);
    EXPECT_EQ(u.stop_reason, "unreachable");

    const Discovery d = count_discovery(table);
    EXPECT_EQ(d.interfaces, 3u); // 198.18.0.1, 198.18.1.2, 198.18.1.22 (destinations excluded)
    EXPECT_EQ(d.links, 1u);      // 0.1 -> 1.2 (TTL 3 silent breaks 1.2 -> 1.22)
    EXPECT_EQ(d.targets_reached, 1u);
}

TEST(MatchUdp, PortUnreachableFromTargetIsReached)
{
    TraceTable table({ip("198.19.1.7")}, TraceTableConfig{.max_ttl = 32});
    ReplyMatcher m(table, MatchConfig{.proto = probe::Proto::udp});
    table.mark_sent(0, 6);
    auto r = rec("198.19.1.7", "198.19.1.7", 6, 1000, PM_REPLY_DEST_UNREACH);
    r.proto = PM_PROTO_UDP;
    r.icmp_code = 3;
    ASSERT_TRUE(m.on_reply(r).matched);
    EXPECT_TRUE(assemble_trace(table, 0, StopReason::none).reached);
    auto echo = rec("198.19.1.7", "198.19.1.7", 6, 1000, PM_REPLY_ECHO_REPLY);
    echo.proto = PM_PROTO_UDP;
    EXPECT_FALSE(m.on_reply(echo).matched);
}
