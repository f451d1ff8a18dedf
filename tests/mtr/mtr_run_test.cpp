// MtrRun: round planning, matching by send time, timeout, late accounting.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <set>
#include <tuple>

#include "userspace/mtr/mtr_run.h"

using namespace pathmap::mtr;

namespace {
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBase = 5'000'000 * kMs; // 5000 s of uptime

pm_reply_record reply(uint32_t dst, uint8_t ttl, uint16_t flow, uint64_t send_ns, uint64_t rx_ns, uint32_t from,
                      uint8_t kind = PM_REPLY_TIME_EXCEEDED)
{
    pm_reply_record r{};
    r.rx_ns = rx_ns;
    r.reply_src = htonl(from);
    r.probe_dst = htonl(dst);
    r.probe_ts = static_cast<uint32_t>((send_ns / PM_TS_UNIT_NS) & PM_TS_MASK);
    r.flow_id = flow;
    r.kind = kind;
    r.probe_ttl = ttl;
    return r;
}

MtrRunConfig small(uint32_t timeout_ms = 2000)
{
    return MtrRunConfig{.targets = {0xc6130101, 0xc6130102}, .min_ttl = 1, .max_ttl = 3, .flows = 1,
                        .interval_ms = 1000, .timeout_ms = timeout_ms};
}
} // namespace

TEST(MtrRun, PlansEveryTargetTtlFlow)
{
    MtrRun run(MtrRunConfig{.targets = {1, 2}, .min_ttl = 2, .max_ttl = 4, .flows = 3});
    auto plan = run.plan_round();
    EXPECT_EQ(plan.size(), 2u * 3 * 3);
    std::set<std::tuple<uint32_t, uint8_t, uint16_t>> seen;
    for (const auto &p : plan) seen.insert({p.dst, p.ttl, p.flow_id});
    EXPECT_EQ(seen.size(), plan.size());
    for (const auto &p : plan) {
        EXPECT_GE(p.ttl, 2);
        EXPECT_LE(p.ttl, 4);
    }
}

TEST(MtrRun, AnsweredThenLostAfterTimeoutOnly)
{
    MtrRun run(small());
    run.plan_round();
    run.round_sent(kBase, kBase + 1 * kMs, 6);
    EXPECT_EQ(run.counters().sent, 6u);
    EXPECT_EQ(run.on_reply(reply(0xc6130101, 1, 0, kBase + 100'000, kBase + 2 * kMs, 0xc6120001)), ReplyOutcome::answered);
    // Before the timeout nothing counts as lost.
    run.expire(kBase + 1 * kMs + 1999 * kMs);
    EXPECT_EQ(run.counters().lost, 0u);
    EXPECT_EQ(run.counters().in_flight(), 5u);
    run.expire(kBase + 1 * kMs + 2000 * kMs);
    EXPECT_EQ(run.counters().lost, 5u);
    EXPECT_EQ(run.counters().received, 1u);
    const auto rows = run.table(0).rows();
    ASSERT_GE(rows.size(), 1u);
    EXPECT_EQ(rows[0].addr, 0xc6120001u);
    EXPECT_EQ(rows[0].sent, 1u);
    EXPECT_NEAR(rows[0].rtt->mean_us(), 1900.0, 10.0); // 10 us stamp resolution
}

TEST(MtrRun, LateReplyIsCountedApartAndNeverTimesALaterRound)
{
    MtrRun run(small(1500));
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    uint64_t r2 = kBase + 1000 * kMs;
    run.plan_round();
    run.round_sent(r2, r2, 6);
    run.expire(kBase + 1600 * kMs); // round 0 timed out
    EXPECT_EQ(run.counters().lost, 6u);
    // Round 0's TTL-2 probe answers 1.7 s late, after round 1 went out.
    auto late = reply(0xc6130101, 2, 0, kBase, kBase + 1700 * kMs, 0xc6120002);
    EXPECT_EQ(run.on_reply(late), ReplyOutcome::late);
    EXPECT_EQ(run.counters().late, 1u);
    EXPECT_EQ(run.counters().lost, 5u);
    // A second copy is a duplicate, not another late reply.
    EXPECT_EQ(run.on_reply(late), ReplyOutcome::duplicate);
    // Round 1's own TTL-2 reply is timed against round 1.
    EXPECT_EQ(run.on_reply(reply(0xc6130101, 2, 0, r2, r2 + 3 * kMs, 0xc6120002)), ReplyOutcome::answered);
    run.expire_all();
    const auto &c = run.counters();
    EXPECT_EQ(c.sent, c.received + c.lost + c.late);
    EXPECT_EQ(c.in_flight(), 0u);
    const auto rows = run.table(0).rows();
    const HopRow *hop2 = nullptr;
    for (const auto &r : rows)
        if (r.ttl == 2 && r.addr) hop2 = &r;
    ASSERT_NE(hop2, nullptr);
    EXPECT_EQ(hop2->recv, 1u);
    EXPECT_EQ(hop2->late, 1u);
    EXPECT_EQ(hop2->sent, 2u);
    EXPECT_NEAR(hop2->rtt->worst_us(), 3000.0, 10.0); // the 1.7 s never became an RTT
}

TEST(MtrRun, ReplyPastTimeoutBeforeSweepIsLate)
{
    MtrRun run(small(500));
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    EXPECT_EQ(run.on_reply(reply(0xc6130102, 3, 0, kBase, kBase + 800 * kMs, 9)), ReplyOutcome::late);
    run.expire_all();
    EXPECT_EQ(run.counters().late, 1u);
    EXPECT_EQ(run.counters().lost, 5u);
    EXPECT_EQ(run.counters().received, 0u);
}

TEST(MtrRun, ForeignRepliesAreUnmatched)
{
    MtrRun run(small());
    run.plan_round();
    run.round_sent(kBase, kBase + kMs, 6);
    EXPECT_EQ(run.on_reply(reply(0xc6130109, 1, 0, kBase, kBase + kMs, 1)), ReplyOutcome::unmatched); // not a target
    EXPECT_EQ(run.on_reply(reply(0xc6130101, 9, 0, kBase, kBase + kMs, 1)), ReplyOutcome::unmatched); // TTL out of range
    EXPECT_EQ(run.on_reply(reply(0xc6130101, 1, 4, kBase, kBase + kMs, 1)), ReplyOutcome::unmatched); // no such flow
    EXPECT_EQ(run.on_reply(reply(0xc6130101, 1, 0, kBase - 400 * kMs, kBase + kMs, 1)), ReplyOutcome::unmatched); // sent before any round
    EXPECT_EQ(run.counters().unmatched, 4u);
    EXPECT_EQ(run.counters().received, 0u);
}

TEST(MtrRun, DestinationShortensLaterRounds)
{
    MtrRun run(MtrRunConfig{.targets = {0xc6130101}, .min_ttl = 1, .max_ttl = 30});
    EXPECT_EQ(run.plan_round().size(), 30u);
    run.round_sent(kBase, kBase, 30);
    run.on_reply(reply(0xc6130101, 4, 0, kBase, kBase + kMs, 0xc6130101, PM_REPLY_ECHO_REPLY));
    EXPECT_EQ(run.plan_round().size(), 4u);
    run.round_sent(kBase + 1000 * kMs, kBase + 1000 * kMs, 4);
    run.expire_all();
    EXPECT_EQ(run.counters().sent, run.counters().received + run.counters().lost + run.counters().late);
    EXPECT_EQ(run.table(0).rows().size(), 4u);
}

TEST(MtrRun, PartialSendCountsOnlyWhatLeft)
{
    MtrRun run(small());
    run.plan_round();
    run.round_sent(kBase, kBase, 2);
    EXPECT_EQ(run.counters().sent, 2u);
    run.expire_all();
    EXPECT_EQ(run.counters().lost, 2u);
}

TEST(MtrRun, RejectsBadConfig)
{
    EXPECT_THROW(MtrRun(MtrRunConfig{}), std::invalid_argument);
    EXPECT_THROW(MtrRun(MtrRunConfig{.targets = {1, 1}}), std::invalid_argument);
    EXPECT_THROW(MtrRun(MtrRunConfig{.targets = {1}, .min_ttl = 0}), std::invalid_argument);
    std::vector<uint32_t> many(70000);
    for (uint32_t i = 0; i < many.size(); ++i) many[i] = i;
    EXPECT_THROW(MtrRun(MtrRunConfig{.targets = many, .flows = 16}), std::invalid_argument);
}
