// Per-/24 knowledge: which addresses scout, what verdict their traces give,
// what a follower is planned to send, and, through Doubletree on a fake
// network, that followers cost two probes yet a /24 split between two last
// hops is still found.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "pathmap/ipv4.h"
#include "userspace/engine/sched/doubletree.h"
#include "userspace/engine/sched/permutation.h"
#include "userspace/engine/sched/prefix_knowledge.h"
#include "userspace/engine/sched/stop_set.h"

using namespace pathmap;
using namespace pathmap::sched;
using match::HopSlot;
using match::StopReason;
using match::TraceTable;
using Kind = PrefixPlan::Kind;

namespace {

uint32_t ip(const char *s) { return *parse_ipv4(s); }

// Every address of the /24s starting at `first` (host order, sorted).
std::vector<uint32_t> hosts(const char *first, unsigned n24 = 1, unsigned per = 256)
{
    std::vector<uint32_t> out;
    for (unsigned p = 0; p < n24; ++p)
        for (unsigned h = 0; h < per; ++h) out.push_back(ip(first) + p * 256 + h);
    return out;
}

void te(TraceTable &t, size_t target, uint8_t ttl, uint32_t addr)
{
    t.record(t.trace_index(target, 0), ttl, HopSlot{.addr = addr, .kind = PM_REPLY_TIME_EXCEEDED}, false, nullptr);
}
void reach(TraceTable &t, size_t target, uint8_t ttl)
{
    t.record(t.trace_index(target, 0), ttl, HopSlot{.addr = t.target(target), .kind = PM_REPLY_ECHO_REPLY}, true, nullptr);
}
void unreach(TraceTable &t, size_t target, uint8_t ttl, uint32_t router)
{
    t.record(t.trace_index(target, 0), ttl, HopSlot{.addr = router, .kind = PM_REPLY_DEST_UNREACH}, true, nullptr);
}

std::vector<size_t> scouts_of(const PrefixKnowledge &k, size_t n)
{
    std::vector<size_t> s;
    for (size_t t = 0; t < n; ++t)
        if (k.is_scout(t)) s.push_back(t);
    return s;
}

} // namespace

TEST(PrefixKnowledge, ScoutsAreTheFirstAddressesOfEachSlash24InProbeOrder)
{
    const auto targets = hosts("198.19.0.0", 4, 64); // 4 /24s, 64 addresses each
    const PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 0, .seed = 11});
    EXPECT_EQ(k.num_scouts(), 12u);
    std::map<uint32_t, int> per24;
    for (size_t t : scouts_of(k, targets.size())) ++per24[targets[t] >> 8];
    ASSERT_EQ(per24.size(), 4u);
    for (const auto &[p, n] : per24) EXPECT_EQ(n, 3) << p;
    // In probe order, a /24's scouts come before its other addresses.
    const Permutation order(targets.size(), 11);
    std::map<uint32_t, int> seen;
    for (uint64_t i = 0; i < order.size(); ++i) {
        const size_t t = order.at(i);
        const int n = seen[targets[t] >> 8]++;
        EXPECT_EQ(k.is_scout(t), n < 3) << i;
    }
    // Another seed, other scouts.
    const PrefixKnowledge k2(targets, {.scouts = 3, .sample_every = 0, .seed = 12});
    EXPECT_NE(scouts_of(k, targets.size()), scouts_of(k2, targets.size()));
    // A /24 smaller than the scout count is all scouts; scouts 0 turns it off.
    const auto few = hosts("198.19.9.0", 1, 2);
    EXPECT_EQ(PrefixKnowledge(few, {.scouts = 3}).num_scouts(), 2u);
    const PrefixKnowledge off(targets, {.scouts = 0});
    EXPECT_FALSE(off.enabled());
    EXPECT_EQ(scouts_of(off, targets.size()).size(), targets.size());
}

TEST(PrefixKnowledge, AgreeingReachedScoutsPredictDistanceAndSampleStaysFull)
{
    const auto targets = hosts("198.19.1.0");
    TraceTable table(targets, {.num_flows = 1, .max_ttl = 32});
    PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 8, .seed = 5});
    EXPECT_EQ(k.plan(0).kind, Kind::full); // nothing learned yet
    const uint32_t last = ip("198.18.1.9");
    bool silent_one = true;
    for (size_t t : scouts_of(k, targets.size())) {
        // One scout's last hop stayed silent (rate limit): it agrees with any.
        if (!silent_one) te(table, t, 6, last);
        silent_one = false;
        reach(table, t, 7);
    }
    k.learn(table);
    EXPECT_EQ(k.counts().reached, 1u);
    size_t predicted = 0, full = 0;
    for (size_t t = 0; t < targets.size(); ++t) {
        if (k.is_scout(t)) continue;
        const PrefixPlan p = k.plan(t);
        if (p.kind == Kind::predicted) {
            EXPECT_EQ(p.distance, 7);
            ++predicted;
        } else {
            EXPECT_EQ(p.kind, Kind::full);
            ++full;
        }
    }
    EXPECT_EQ(predicted + full, 253u);
    // 1 in 8 sampled: about 32 of 253, never none and never most.
    EXPECT_GT(full, 12u);
    EXPECT_LT(full, 60u);
    EXPECT_EQ(k.neighbour_distance(100), 7);
}

TEST(PrefixKnowledge, DisagreeingScoutsLeaveTheSlash24Unknown)
{
    const auto targets = hosts("198.19.2.0", 3);
    TraceTable table(targets, {.num_flows = 1, .max_ttl = 32});
    PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 0, .seed = 9});
    int i[3] = {0, 0, 0};
    for (size_t t : scouts_of(k, targets.size())) {
        const unsigned p = (targets[t] >> 8) & 0xff;
        const int n = i[p - 2]++;
        if (p == 2) { // two last hops at one distance
            te(table, t, 6, n == 0 ? ip("198.18.1.9") : ip("198.18.1.13"));
            reach(table, t, 7);
        } else if (p == 3) { // two distances
            reach(table, t, n == 0 ? 7 : 8);
        } else { // reached and not
            if (n == 0) reach(table, t, 5);
        }
    }
    k.learn(table);
    EXPECT_EQ(k.counts().unknown, 3u);
    for (size_t t = 0; t < targets.size(); ++t) EXPECT_EQ(k.plan(t).kind, Kind::full) << t;
    // The one scout that reached still predicts a distance for its neighbours.
    EXPECT_EQ(k.neighbour_distance(targets.size() - 1), 5);
    EXPECT_EQ(k.neighbour_distance(0), 7);
}

TEST(PrefixKnowledge, UnreachedScoutsGiveTheirEdgeUnlessRoutersDiffer)
{
    const auto targets = hosts("198.19.4.0", 3);
    TraceTable table(targets, {.num_flows = 1, .max_ttl = 32});
    PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 2, .seed = 3});
    const uint32_t r = ip("198.18.1.21"), other = ip("198.18.1.25");
    int i[3] = {0, 0, 0};
    for (size_t t : scouts_of(k, targets.size())) {
        const unsigned p = (targets[t] >> 8) & 0xff;
        const int n = i[p - 4]++;
        te(table, t, 3, ip("198.18.1.1"));
        if (p == 4) { // blackholed after r; one scout lost r's answer
            if (n != 1) te(table, t, 4, r);
        } else if (p == 5) { // unreachable from the router after r
            te(table, t, 4, r);
            unreach(table, t, 5, ip("198.18.1.22"));
        } else { // silent after two different routers at one TTL
            te(table, t, 4, n == 0 ? r : other);
        }
    }
    k.learn(table);
    EXPECT_EQ(k.counts().unreached, 2u);
    EXPECT_EQ(k.counts().unknown, 1u);
    for (size_t t = 0; t < targets.size(); ++t) {
        if (k.is_scout(t)) continue;
        const PrefixPlan p = k.plan(t);
        if (((targets[t] >> 8) & 0xff) == 6) {
            EXPECT_EQ(p.kind, Kind::full);
        } else {
            // No sample here: a follower's own edge probes are its check.
            ASSERT_EQ(p.kind, Kind::edge) << t;
            EXPECT_EQ(p.edge_ttl, 4);
            EXPECT_EQ(p.edge_addr, r);
        }
    }
}

TEST(PrefixKnowledge, SilentScoutsGiveAnEdgeWithoutARouter)
{
    const auto targets = hosts("198.19.7.0", 1, 16);
    TraceTable table(targets, {.num_flows = 1, .max_ttl = 32});
    PrefixKnowledge k(targets, {.scouts = 3, .seed = 1});
    for (size_t t : scouts_of(k, targets.size())) table.mark_sent(table.trace_index(t, 0), 32); // silent preprobes
    k.learn(table);
    for (size_t t = 0; t < targets.size(); ++t) {
        if (k.is_scout(t)) continue;
        EXPECT_EQ(k.plan(t).kind, Kind::edge);
        EXPECT_EQ(k.plan(t).edge_ttl, 0);
    }
}

namespace {

// Routers at TTL 1..n, destination at n + 1, as in sched_doubletree_test.
struct FakeNet {
    std::map<uint32_t, std::vector<uint32_t>> paths;
    int probes = 0;
    void answer(TraceTable &t, const std::vector<probe::ProbeSpec> &sent)
    {
        for (const auto &p : sent) {
            ++probes;
            const auto &path = paths.at(p.dst);
            const size_t tr = t.trace_index(*t.find_target(p.dst), p.flow_id);
            if (p.ttl > path.size()) t.record(tr, p.ttl, HopSlot{.addr = p.dst, .kind = PM_REPLY_ECHO_REPLY}, true, nullptr);
            else if (path[p.ttl - 1])
                t.record(tr, p.ttl, HopSlot{.addr = path[p.ttl - 1], .kind = PM_REPLY_TIME_EXCEEDED}, false, nullptr);
        }
    }
    void rounds(Doubletree &dt, TraceTable &t, uint64_t seed)
    {
        for (int r = 0; r < 100 && dt.active(); ++r) {
            std::vector<probe::ProbeSpec> sent;
            dt.plan_round(seed + r, sent);
            answer(t, sent);
            dt.advance_round();
        }
    }
};

} // namespace

TEST(PrefixKnowledge, FollowersCostTwoProbesAndASplitSlash24IsStillFound)
{
    // One /24, 128 addresses: the low 96 behind last hop a, the high 32
    // behind b, both at TTL 4 after r1 r2 r3.
    const auto targets = hosts("198.19.8.0", 1, 128);
    const uint32_t r1 = ip("198.18.1.1"), r2 = ip("198.18.1.5"), r3 = ip("198.18.1.9"), a = ip("198.18.1.13"),
                   b = ip("198.18.1.17");
    FakeNet net;
    for (uint32_t d : targets) net.paths[d] = {r1, r2, r3, (d & 0xff) < 96 ? a : b};
    // Scouts that all sit behind a (seed chosen so; checked below).
    uint64_t seed = 0;
    for (uint64_t s = 1; s < 1000 && !seed; ++s) {
        const PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 0, .seed = s});
        bool all_a = true;
        for (size_t t : scouts_of(k, targets.size())) all_a &= (targets[t] & 0xff) < 96;
        if (all_a) seed = s;
    }
    ASSERT_NE(seed, 0u);
    TraceTable table(targets, {.num_flows = 1, .max_ttl = 32});
    StopSet stop;
    Doubletree dt(table, stop, {.gap_limit = 3, .use_stop_set = true, .discoverers = 2});
    PrefixKnowledge k(targets, {.scouts = 3, .sample_every = 0, .seed = seed});
    const auto scouts = scouts_of(k, targets.size());
    for (size_t t : scouts) dt.set_split(table.trace_index(t, 0), 4); // as a preprobe at distance 5 gives
    net.rounds(dt, table, seed);
    const int scout_probes = net.probes;
    k.learn(table);
    ASSERT_EQ(k.counts().reached, 1u);
    for (size_t t = 0; t < targets.size(); ++t) {
        if (k.is_scout(t)) continue;
        const PrefixPlan p = k.plan(t);
        ASSERT_EQ(p.kind, Kind::predicted);
        EXPECT_EQ(p.distance, 5);
        dt.set_split(table.trace_index(t, 0), static_cast<uint8_t>(p.distance - 1));
    }
    net.rounds(dt, table, seed + 100);
    const int follower_probes = net.probes - scout_probes;
    EXPECT_TRUE(stop.contains(b)) << "the second last hop of the /24 was not found";
    size_t reached = 0, saw_b = 0;
    for (size_t t = 0; t < targets.size(); ++t) {
        const size_t tr = table.trace_index(t, 0);
        reached += table.terminal_ttl(tr) == 5;
        saw_b += table.answered(tr, 4) && table.hop(tr, 4).addr == b;
    }
    EXPECT_EQ(reached, targets.size());
    EXPECT_EQ(saw_b, 32u);
    // 125 followers: two probes each, plus the walks of the first traces
    // below b (2 discoverers, 3 TTLs each at most).
    EXPECT_GE(follower_probes, 250);
    EXPECT_LE(follower_probes, 250 + 2 * 3);
}
