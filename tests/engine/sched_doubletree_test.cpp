// Doubletree rounds: backward probing stops at the stop set, forward at the
// destination, the gap limit, loops and max TTL; the hole pass re-asks each
// unexplained neighbour pair once per pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "pathmap/ipv4.h"
#include "userspace/engine/sched/doubletree.h"
#include "userspace/engine/sched/hole_filler.h"
#include "userspace/engine/sched/stop_set.h"

using namespace pathmap;
using namespace pathmap::sched;
using match::HopSlot;
using match::StopReason;
using match::TraceTable;

namespace {

uint32_t ip(const char *s) { return *parse_ipv4(s); }

// A fake network: per target, the address answering at each TTL (0 = silent);
// at and beyond the distance the destination answers.
struct FakeNet {
    std::map<uint32_t, std::vector<uint32_t>> paths; // routers at TTL 1..n, destination at n+1
    int probes = 0;
    void answer(TraceTable &t, const std::vector<probe::ProbeSpec> &probes_sent)
    {
        for (const auto &p : probes_sent) {
            ++probes;
            const auto &path = paths.at(p.dst);
            const size_t tr = t.trace_index(*t.find_target(p.dst), p.flow_id);
            if (p.ttl > path.size()) {
                t.record(tr, p.ttl, HopSlot{.addr = p.dst, .kind = PM_REPLY_ECHO_REPLY}, true, nullptr);
            } else if (path[p.ttl - 1]) {
                t.record(tr, p.ttl, HopSlot{.addr = path[p.ttl - 1], .kind = PM_REPLY_TIME_EXCEEDED}, false, nullptr);
            }
        }
    }
};

void run_rounds(Doubletree &dt, TraceTable &t, FakeNet &net, int max_rounds = 100)
{
    for (int r = 0; r < max_rounds && dt.active(); ++r) {
        std::vector<probe::ProbeSpec> probes;
        dt.plan_round(r, probes);
        net.answer(t, probes);
        dt.advance_round();
    }
}

} // namespace

TEST(StopSet, InsertContainsGrow)
{
    StopSet s(2);
    EXPECT_FALSE(s.contains(ip("1.2.3.4")));
    EXPECT_TRUE(s.insert(ip("1.2.3.4")));
    EXPECT_FALSE(s.insert(ip("1.2.3.4")));
    EXPECT_FALSE(s.insert(0));
    for (uint32_t a = 1; a < 5000; ++a) s.insert(a * 7919);
    for (uint32_t a = 1; a < 5000; ++a) ASSERT_TRUE(s.contains(a * 7919));
    EXPECT_FALSE(s.contains(13));
    EXPECT_FALSE(s.contains(0));
}

TEST(Doubletree, BackwardStopsAtKnownInterfaceForwardAtDestination)
{
    const uint32_t a = ip("198.19.1.7"), b = ip("198.19.2.9");
    const uint32_t r1 = ip("198.18.0.1"), r2 = ip("198.18.1.2"), r3 = ip("198.18.1.6"), r4 = ip("198.18.1.10");
    FakeNet net;
    net.paths[a] = {r1, r2, r3};
    net.paths[b] = {r1, r2, r4};
    // Trace a first on its own, then b: b's backward probing must stop at r2.
    TraceTable t({a}, match::TraceTableConfig{.max_ttl = 16});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{.gap_limit = 3});
    dt.set_split(0, 3);
    run_rounds(dt, t, net);
    const int after_a = net.probes;
    EXPECT_TRUE(t.answered(0, 1) && t.answered(0, 2) && t.answered(0, 3) && t.answered(0, 4));
    EXPECT_EQ(dt.reason(0), StopReason::reached);
    EXPECT_TRUE(stop.contains(r1) && stop.contains(r2) && stop.contains(r3));
    EXPECT_FALSE(stop.contains(r4));

    TraceTable t2({a, b}, match::TraceTableConfig{.max_ttl = 16});
    Doubletree dt2(t2, stop, DoubletreeConfig{.gap_limit = 3, .discoverers = 1});
    net.probes = 0;
    dt2.set_split(0, 0);
    dt2.set_split(1, 3);
    // Trace a: forward only from TTL 1 with everything already known; trace b
    // backward from 3: r4 is new, r2 is in the stop set -> stop before TTL 1.
    run_rounds(dt2, t2, net);
    EXPECT_TRUE(t2.answered(1, 3));
    EXPECT_TRUE(t2.answered(1, 2));
    EXPECT_FALSE(t2.was_sent(1, 1)) << "backward probing went past the stop set";
    EXPECT_TRUE(t2.answered(1, 4));
    EXPECT_EQ(dt2.reason(1), StopReason::reached);
    EXPECT_GT(after_a, 0);
}

TEST(Doubletree, SeveralDiscoverersGoOnBelowANewInterface)
{
    // Five targets behind the same two routers, all split at TTL 2 in the
    // same round: with discoverers = 2, exactly two traces probe TTL 1.
    const uint32_t r1 = ip("198.18.0.1"), r2 = ip("198.18.1.2");
    FakeNet net;
    std::vector<uint32_t> targets;
    for (uint32_t i = 1; i <= 5; ++i) {
        targets.push_back(ip("198.19.1.0") + i);
        net.paths[targets.back()] = {r1, r2};
    }
    TraceTable t(targets, match::TraceTableConfig{.max_ttl = 16});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{.discoverers = 2});
    for (size_t i = 0; i < targets.size(); ++i) dt.set_split(i, 2);
    run_rounds(dt, t, net);
    int went_down = 0;
    for (size_t i = 0; i < targets.size(); ++i) went_down += t.was_sent(i, 1);
    EXPECT_EQ(went_down, 2);
    EXPECT_TRUE(stop.contains(r1));
}

TEST(Doubletree, WithoutStopSetTracesGoDownToTtl1)
{
    const uint32_t a = ip("198.19.1.7");
    FakeNet net;
    net.paths[a] = {ip("198.18.0.1"), ip("198.18.1.2"), ip("198.18.1.6")};
    TraceTable t({a}, match::TraceTableConfig{.max_ttl = 16});
    StopSet stop;
    stop.insert(ip("198.18.1.6"));
    Doubletree dt(t, stop, DoubletreeConfig{.use_stop_set = false});
    dt.set_split(0, 3);
    run_rounds(dt, t, net);
    for (uint8_t ttl = 1; ttl <= 4; ++ttl) EXPECT_TRUE(t.answered(0, ttl)) << int(ttl);
}

TEST(Doubletree, GapLimitLoopAndMaxTtl)
{
    const uint32_t silent = ip("198.19.3.1"), looping = ip("198.19.4.1"), longp = ip("198.19.5.1");
    const uint32_t x = ip("198.18.9.1"), y = ip("198.18.9.2");
    FakeNet net;
    net.paths[silent] = std::vector<uint32_t>(20, 0);
    net.paths[silent][0] = x;
    net.paths[looping] = {x, y, x, y, x, y, x, y, x, y, x, y, x, y, x, y, x, y, x, y};
    for (uint32_t i = 0; i < 20; ++i) net.paths[longp].push_back(ip("198.18.10.1") + i);
    TraceTable t({silent, looping, longp}, match::TraceTableConfig{.max_ttl = 8});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{.gap_limit = 3, .use_stop_set = false});
    for (size_t i = 0; i < 3; ++i) dt.set_split(i, 1);
    run_rounds(dt, t, net);
    EXPECT_EQ(dt.reason(0), StopReason::gap_limit);
    EXPECT_TRUE(t.was_sent(0, 4));
    EXPECT_FALSE(t.was_sent(0, 5)); // TTL 2,3,4 silent: three in a row
    EXPECT_EQ(dt.reason(1), StopReason::loop);
    EXPECT_FALSE(t.was_sent(1, 4));
    EXPECT_EQ(dt.reason(2), StopReason::max_ttl);
    EXPECT_TRUE(t.was_sent(2, 8));
    EXPECT_EQ(dt.active(), 0u);
}

// TX accounting with a sender that refuses: probes it did not take are not
// "sent", do not count towards the gap limit, and are asked again.
TEST(Doubletree, ProbesTheSenderRefusedAreAskedAgain)
{
    const uint32_t a = ip("198.19.3.1"), b = ip("198.19.4.1");
    FakeNet net;
    net.paths[a] = {ip("198.18.9.1"), ip("198.18.9.2"), ip("198.18.9.3")};
    net.paths[b] = {ip("198.18.9.1"), ip("198.18.9.5"), ip("198.18.9.6")};
    TraceTable t({a, b}, match::TraceTableConfig{.max_ttl = 8});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{.gap_limit = 1, .use_stop_set = false});
    dt.set_split(0, 2);
    dt.set_split(1, 2);
    // Three rounds in which the sender takes nothing: with gap limit 1, a
    // refused probe read as silence would end the traces at once.
    for (int round = 0; round < 3; ++round) {
        std::vector<probe::ProbeSpec> planned;
        dt.plan_round(100 + round, planned);
        ASSERT_EQ(planned.size(), 4u) << "round " << round; // backward 2 and forward 3, both targets
        for (const auto &p : planned) {
            const size_t tr = t.trace_index(*t.find_target(p.dst), p.flow_id);
            dt.unsend(tr, p.ttl);
            EXPECT_FALSE(t.was_sent(tr, p.ttl));
        }
        dt.advance_round();
        EXPECT_EQ(dt.active(), 2u);
    }
    // Then it takes everything: the traces finish as if nothing happened.
    run_rounds(dt, t, net);
    EXPECT_EQ(dt.reason(0), StopReason::reached);
    EXPECT_EQ(dt.reason(1), StopReason::reached);
    for (uint8_t ttl = 1; ttl <= 4; ++ttl) EXPECT_TRUE(t.answered(0, ttl)) << int(ttl);
}

TEST(Doubletree, SplitBeyondDestinationWalksBack)
{
    const uint32_t a = ip("198.19.1.7");
    FakeNet net;
    net.paths[a] = {ip("198.18.0.1"), ip("198.18.1.2")};
    TraceTable t({a}, match::TraceTableConfig{.max_ttl = 16});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{});
    dt.set_split(0, 8);
    run_rounds(dt, t, net);
    EXPECT_TRUE(t.answered(0, 1) && t.answered(0, 2) && t.answered(0, 3));
    EXPECT_EQ(t.terminal_ttl(0), 3);
    // Round 1 sends TTL 8 and 9 together; nothing beyond once the destination is known.
    EXPECT_FALSE(t.was_sent(0, 10));
}

TEST(Doubletree, InterruptMarksUnfinishedTraces)
{
    TraceTable t({ip("198.19.1.7")}, match::TraceTableConfig{.max_ttl = 16});
    StopSet stop;
    Doubletree dt(t, stop, DoubletreeConfig{});
    dt.set_split(0, 5);
    EXPECT_EQ(dt.active(), 1u);
    dt.interrupt();
    EXPECT_EQ(dt.active(), 0u);
    EXPECT_EQ(dt.reason(0), StopReason::interrupted);
}

TEST(HoleFiller, GroupsByNeighboursAndSkipsExplainedHoles)
{
    const uint32_t r1 = ip("198.18.0.1"), r2 = ip("198.18.1.2"), r3 = ip("198.18.1.6");
    std::vector<uint32_t> targets;
    for (uint32_t i = 1; i <= 6; ++i) targets.push_back(ip("198.19.1.0") + i);
    TraceTable t(targets, match::TraceTableConfig{.max_ttl = 8});
    auto put = [&](size_t tr, uint8_t ttl, uint32_t addr) {
        t.mark_sent(tr, ttl);
        if (addr) t.record(tr, ttl, HopSlot{.addr = addr, .kind = PM_REPLY_TIME_EXCEEDED}, false, nullptr);
    };
    // Traces 0..3: r1, (r2 rate-limited: silent), r3, destination.
    for (size_t tr = 0; tr < 4; ++tr) {
        put(tr, 1, r1);
        put(tr, 2, 0);
        put(tr, 3, r3);
        t.mark_sent(tr, 4);
        t.record(tr, 4, HopSlot{.addr = t.trace_target(tr), .kind = PM_REPLY_ECHO_REPLY}, true, nullptr);
    }
    auto groups = find_hole_groups(t);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].prev, r1);
    EXPECT_EQ(groups[0].next, r3);
    EXPECT_EQ(groups[0].holes.size(), 4u);
    std::vector<probe::ProbeSpec> p0, p1;
    EXPECT_EQ(plan_hole_pass(t, groups, 0, p0), 1u);
    EXPECT_EQ(plan_hole_pass(t, groups, 1, p1), 1u);
    EXPECT_EQ(p0[0].ttl, 2);
    EXPECT_NE(p0[0].dst, p1[0].dst); // a different target each pass
    // Trace 4 saw r2 between r1 and r3: the holes are explained.
    put(4, 1, r1);
    put(4, 2, r2);
    put(4, 3, r3);
    EXPECT_TRUE(find_hole_groups(t).empty());
    // Once a hole is answered, its group asks no more.
    std::vector<probe::ProbeSpec> p2;
    put(0, 2, r2);
    EXPECT_EQ(plan_hole_pass(t, groups, 2, p2), 0u);
}

TEST(HoleFiller, CompleteTracesReaskEveryHoleOfEveryTrace)
{
    // Complete traces promise every TTL: a hole another trace explains is
    // still re-asked, each hole on its own, TTL 1 included.
    const uint32_t r1 = ip("198.18.0.1"), r2 = ip("198.18.1.2"), r3 = ip("198.18.1.6");
    TraceTable t({ip("198.19.1.1"), ip("198.19.1.2"), ip("198.19.1.3")}, match::TraceTableConfig{.max_ttl = 8});
    auto put = [&](size_t tr, uint8_t ttl, uint32_t addr) {
        t.mark_sent(tr, ttl);
        if (addr) t.record(tr, ttl, HopSlot{.addr = addr, .kind = PM_REPLY_TIME_EXCEEDED}, false, nullptr);
    };
    put(0, 1, r1), put(0, 2, r2), put(0, 3, r3); // explains r1 .. r3
    put(1, 1, r1), put(1, 2, 0), put(1, 3, r3);
    put(2, 1, 0), put(2, 2, 0), put(2, 3, r3);
    // Discovery: trace 1's hole is explained; trace 2's TTL 1 is its lowest
    // probed TTL, so only its TTL 2 (unknown neighbour before) is left.
    const auto disc = find_hole_groups(t);
    ASSERT_EQ(disc.size(), 1u);
    EXPECT_EQ(disc[0].prev, 0u);
    EXPECT_EQ(disc[0].holes.size(), 1u);
    EXPECT_EQ(disc[0].holes[0].trace, 2u);
    const auto groups = find_hole_groups(t, HoleScope::every_trace);
    ASSERT_EQ(groups.size(), 3u);
    std::vector<probe::ProbeSpec> p0;
    EXPECT_EQ(plan_hole_pass(t, groups, 0, p0), 3u);
    std::vector<std::pair<uint32_t, unsigned>> asked;
    for (const auto &p : p0) asked.emplace_back(p.dst, p.ttl);
    std::sort(asked.begin(), asked.end());
    const std::vector<std::pair<uint32_t, unsigned>> want{
        {ip("198.19.1.2"), 2}, {ip("198.19.1.3"), 1}, {ip("198.19.1.3"), 2}};
    EXPECT_EQ(asked, want);
}

TEST(Distance, FromQuotedOrReplyTtl)
{
    EXPECT_EQ(distance_from_reply(HopSlot{.reply_ttl = 60, .quoted_ttl = 27}, 32), 6);
    EXPECT_EQ(distance_from_reply(HopSlot{.reply_ttl = 59}, 32), 6);
    EXPECT_EQ(distance_from_reply(HopSlot{.reply_ttl = 250}, 32), 6);
    EXPECT_EQ(distance_from_reply(HopSlot{.reply_ttl = 20}, 32), 0); // 45 hops > probe TTL: nonsense
    EXPECT_EQ(distance_from_reply(HopSlot{}, 32), 0);
}
