// MDA rounds of one destination (sched/mda_explorer.h) on simulated load
// balancers: per-flow hashing at each router, silent and rate-limited
// routers; and the choice of MDA destinations from a sweep's traces
// (sweep/mda_phase.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "pathmap/ipv4.h"
#include "userspace/engine/sched/mda_explorer.h"
#include "userspace/engine/sweep/mda_phase.h"

using namespace pathmap;
using namespace pathmap::sched;

namespace {

uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// A forwarding DAG from the gateway (TTL 1): each router picks one of its
// next hops by a hash of the flow (and of itself, unless `shared_hash`: then
// every load balancer picks by the flow alone, as Linux routers with one
// hash seed do).
struct SimNet {
    uint32_t gateway = 1;
    std::map<uint32_t, std::vector<uint32_t>> next;
    std::set<uint32_t> silent;
    std::map<uint32_t, uint32_t> budget; // router -> answers it still gives
    bool shared_hash = false;
    uint64_t salt = 0;                    // another hash seed: other flows take other branches
    uint32_t dst = 0;                     // answers at its TTL; nothing beyond

    uint32_t at(uint16_t flow, uint8_t ttl) const
    {
        uint32_t node = gateway;
        for (uint8_t h = 1; h < ttl; ++h) {
            if (node == dst) return dst;
            const auto it = next.find(node);
            if (it == next.end() || it->second.empty()) return 0;
            const uint64_t hsh = mix((shared_hash ? flow : (uint64_t{flow} << 32 | node)) ^ (salt << 48));
            node = it->second[hsh % it->second.size()];
        }
        return node;
    }
};

class SimReplies final : public MdaReplies {
public:
    explicit SimReplies(SimNet &net) : net_(net) {}
    bool probed(uint16_t flow, uint8_t ttl) const override { return sent_.count(key(flow, ttl)) != 0; }
    uint32_t addr(uint16_t flow, uint8_t ttl) const override
    {
        const auto it = sent_.find(key(flow, ttl));
        return it == sent_.end() ? 0 : it->second;
    }
    void send(const std::vector<MdaProbe> &probes)
    {
        for (const auto &p : probes) {
            ASSERT_FALSE(probed(p.flow, p.ttl)) << "flow " << p.flow << " asked twice at TTL " << int(p.ttl);
            uint32_t a = net_.at(p.flow, p.ttl);
            if (net_.silent.count(a)) a = 0;
            if (auto b = net_.budget.find(a); b != net_.budget.end()) {
                if (b->second == 0) a = 0;
                else --b->second;
            }
            sent_[key(p.flow, p.ttl)] = a;
        }
        total_ += probes.size();
    }
    // A probe someone else sent (the sweep's flow 0): answered, not counted.
    void seed(uint16_t flow, uint8_t ttl)
    {
        uint32_t a = net_.at(flow, ttl);
        if (net_.silent.count(a)) a = 0;
        sent_[key(flow, ttl)] = a;
    }
    size_t total() const { return total_; }
    size_t at_ttl(uint8_t ttl) const
    {
        size_t n = 0;
        for (const auto &[k, v] : sent_) n += (k & 0xff) == ttl;
        return n;
    }

private:
    static uint32_t key(uint16_t flow, uint8_t ttl) { return uint32_t{flow} << 8 | ttl; }
    SimNet &net_;
    std::map<uint32_t, uint32_t> sent_;
    size_t total_ = 0;
};

struct Exploration {
    size_t probes = 0;
    unsigned rounds = 0;
    std::vector<MdaNode> nodes;
};

Exploration explore(SimNet &net, uint8_t last_ttl, MdaConfig hop = {}, SimReplies *keep = nullptr, uint16_t frozen = 0)
{
    SimReplies own(net);
    SimReplies &r = keep ? *keep : own;
    MdaExplorer ex({.hop = hop, .dst = net.dst, .first_ttl = 2, .last_ttl = last_ttl, .frozen_flows = frozen});
    Exploration run;
    std::vector<MdaProbe> out;
    for (; run.rounds < 64; ++run.rounds) {
        out.clear();
        if (ex.plan(r, out) == 0) break;
        r.send(out);
    }
    run.probes = r.total();
    run.nodes = ex.nodes(r);
    return run;
}

const MdaNode *node(const Exploration &run, uint8_t ttl, uint32_t addr)
{
    for (const auto &n : run.nodes)
        if (n.ttl == ttl && n.addr == addr) return &n;
    return nullptr;
}

} // namespace

TEST(MdaExplorer, ChainCostsSixFlowsPerHop)
{
    SimNet net;
    net.next = {{1, {2}}, {2, {3}}, {3, {4}}, {4, {5}}};
    const Exploration run = explore(net, 5);
    // TTL 1 (the gateway) is never probed: n_2 = 6 flows at TTLs 2..5, in one round.
    EXPECT_EQ(run.probes, 6u * 4);
    EXPECT_EQ(run.rounds, 1u);
    ASSERT_EQ(run.nodes.size(), 4u); // gateway, 2, 3, 4 (5 is found, not enumerated)
    for (const auto &n : run.nodes) {
        EXPECT_TRUE(n.done) << int(n.ttl);
        EXPECT_FALSE(n.bound);
        EXPECT_EQ(n.next.size(), 1u);
        EXPECT_EQ(n.flows, 6u);
    }
    EXPECT_EQ(node(run, 1, 0)->next, std::vector<uint32_t>{2});
}

TEST(MdaExplorer, DiamondFindsBothBranchesAtTheRulesCost)
{
    SimNet net;
    net.next = {{1, {2}}, {2, {31, 32}}, {31, {4}}, {32, {4}}, {4, {5}}};
    SimReplies r(net);
    const Exploration run = explore(net, 5, {}, &r);
    const MdaNode *lb = node(run, 2, 2);
    ASSERT_NE(lb, nullptr);
    EXPECT_EQ(lb->next, (std::vector<uint32_t>{31, 32}));
    EXPECT_TRUE(lb->done);
    EXPECT_GE(lb->flows, 11u); // n_3: a third branch ruled out
    for (uint32_t b : {31u, 32u}) {
        const MdaNode *n = node(run, 3, b);
        ASSERT_NE(n, nullptr) << b;
        EXPECT_EQ(n->next, std::vector<uint32_t>{4});
        EXPECT_TRUE(n->done);
        EXPECT_GE(n->flows, 6u);
    }
    // The rule's floor: 6 at TTL 2, 11 at 3, 6 through each branch at 4, 6 at 5.
    EXPECT_GE(run.probes, 6u + 11 + 12 + 6);
    // Reused flows and one-probe new flows behind the single node at TTL 2
    // keep the overshoot small.
    EXPECT_LE(run.probes, 6u + 11 + 12 + 6 + 8);
    EXPECT_EQ(r.at_ttl(2), 6u); // r2 is one router: new flows for its successors go only to TTL 3
    EXPECT_LT(run.rounds, 8u);
    for (const auto &n : run.nodes) EXPECT_FALSE(n.bound);
}

TEST(MdaExplorer, WideLoadBalancerAndCorrelatedDiamonds)
{
    SimNet wide;
    wide.next = {{1, {2}}, {2, {31, 32, 33, 34}}, {31, {4}}, {32, {4}}, {33, {4}}, {34, {4}}, {4, {5}}};
    const Exploration w = explore(wide, 5);
    ASSERT_NE(node(w, 2, 2), nullptr);
    EXPECT_EQ(node(w, 2, 2)->next, (std::vector<uint32_t>{31, 32, 33, 34}));
    EXPECT_GE(node(w, 2, 2)->flows, 27u); // n_5 at 95%
    for (uint32_t b : {31u, 32u, 33u, 34u}) EXPECT_TRUE(node(w, 3, b) && node(w, 3, b)->done) << b;

    // Two 2-way diamonds whose routers hash alike (one seed): a flow through
    // the first's left branch also takes the second's left one. The second
    // load balancer still sees flows of both kinds, so both branches show.
    SimNet two;
    two.shared_hash = true;
    two.next = {{1, {2}}, {2, {31, 32}}, {31, {4}}, {32, {4}}, {4, {5}}, {5, {61, 62}}, {61, {7}}, {62, {7}}, {7, {8}}};
    const Exploration t = explore(two, 8);
    ASSERT_NE(node(t, 2, 2), nullptr);
    ASSERT_NE(node(t, 5, 5), nullptr);
    EXPECT_EQ(node(t, 2, 2)->next, (std::vector<uint32_t>{31, 32}));
    EXPECT_EQ(node(t, 5, 5)->next, (std::vector<uint32_t>{61, 62}));
    for (const auto &n : t.nodes) EXPECT_TRUE(n.done) << int(n.ttl) << " " << n.addr;
}

TEST(MdaExplorer, SilentHopIsTransparentAndRateLimitsAreBounded)
{
    SimNet net;
    net.next = {{1, {2}}, {2, {3}}, {3, {41, 42}}, {41, {5}}, {42, {5}}, {5, {6}}};
    net.silent = {3};
    SimReplies r(net);
    const Exploration run = explore(net, 6, {}, &r);
    EXPECT_EQ(r.at_ttl(3), 6u); // the silent TTL costs round 0 only
    const MdaNode *anon = node(run, 3, 0);
    ASSERT_NE(anon, nullptr);
    EXPECT_EQ(anon->next, (std::vector<uint32_t>{41, 42}));
    EXPECT_TRUE(anon->done);

    // A router that answers 3 probes and then nothing: its predecessor cannot
    // meet the rule; it gives up (a bound) instead of asking forever.
    SimNet limited;
    limited.next = {{1, {2}}, {2, {3}}, {3, {4}}, {4, {5}}};
    limited.budget = {{4, 3}};
    const Exploration lim = explore(limited, 5);
    EXPECT_LT(lim.rounds, 10u);
    ASSERT_NE(node(lim, 3, 3), nullptr);
    EXPECT_TRUE(node(lim, 3, 3)->bound);
    EXPECT_FALSE(node(lim, 3, 3)->done);
    EXPECT_LT(lim.probes, 60u);
}

TEST(MdaExplorer, MaxFlowsBoundsAWideBalancer)
{
    SimNet net;
    std::vector<uint32_t> many;
    for (uint32_t i = 0; i < 32; ++i) many.push_back(100 + i);
    net.next = {{1, {2}}, {2, many}};
    for (uint32_t a : many) net.next[a] = {9};
    const Exploration run = explore(net, 4, {.confidence = 0.95, .max_flows = 16});
    const MdaNode *lb = node(run, 2, 2);
    ASSERT_NE(lb, nullptr);
    EXPECT_TRUE(lb->bound);
    EXPECT_LE(lb->next.size(), 16u);
    EXPECT_GE(lb->next.size(), 6u);
    EXPECT_LT(run.rounds, 20u);
    EXPECT_LE(run.probes, 16u * 3); // 16 flow ids at each of TTLs 2..4
}

TEST(MdaExplorer, DestinationEndsThePath)
{
    SimNet net;
    net.dst = 77;
    net.next = {{1, {2}}, {2, {77, 3}}, {3, {77}}}; // some flows reach 77 one TTL early
    const Exploration run = explore(net, 4);
    for (const auto &n : run.nodes) EXPECT_NE(n.addr, 77u) << "the destination is not enumerated";
    ASSERT_NE(node(run, 2, 2), nullptr);
    EXPECT_EQ(node(run, 2, 2)->next, (std::vector<uint32_t>{3, 77}));
}

TEST(MdaExplorer, TheSweepsFlowCountsAndIsNeverSent)
{
    SimNet net;
    net.next = {{1, {2}}, {2, {31, 32}}, {31, {4}}, {32, {4}}, {4, {5}}, {5, {6}}};
    net.silent = {5};
    SimReplies r(net);
    for (uint8_t ttl = 1; ttl <= 6; ++ttl) r.seed(0, ttl); // the sweep's trace: flow 0 at every TTL
    SimReplies counted(net);
    const Exploration run = explore(net, 6, {}, &r, 1);
    // Flow 0's answers count: 5 new flows where one answered, 1 where it was
    // silent (TTL 5 never answers), and nothing asks flow 0 again.
    EXPECT_EQ(r.at_ttl(2), 6u);
    EXPECT_EQ(r.at_ttl(5), 2u);
    ASSERT_NE(node(run, 2, 2), nullptr);
    EXPECT_EQ(node(run, 2, 2)->next, (std::vector<uint32_t>{31, 32}));
    EXPECT_TRUE(node(run, 2, 2)->done);
    ASSERT_NE(node(run, 4, 4), nullptr);
    EXPECT_TRUE(node(run, 4, 4)->next_silent); // nothing to enumerate behind it, and no bound
    EXPECT_FALSE(node(run, 4, 4)->bound);
    ASSERT_NE(node(run, 5, 0), nullptr);
    EXPECT_EQ(node(run, 5, 0)->next, std::vector<uint32_t>{6});
    // A cheaper run than without the sweep's flow (same network, nothing seeded).
    const Exploration fresh = explore(net, 6, {}, &counted, 0);
    EXPECT_LT(run.probes, fresh.probes);
}

TEST(MdaExplorer, LinksBehindATransparentNodeAreObserved)
{
    // r2 is one router: flows for its successors go to TTL 3 only, yet every
    // branch must show in some flow answered at both TTL 2 and 3 (what a
    // trace, and the graph, can draw).
    for (uint64_t salt = 0; salt < 16; ++salt) {
        SimNet net;
        net.salt = salt;
        net.next = {{1, {2}}, {2, {31, 32, 33}}, {31, {4}}, {32, {4}}, {33, {4}}, {4, {5}}};
        SimReplies r(net);
        MdaExplorer ex({.hop = {}, .first_ttl = 2, .last_ttl = 5});
        std::vector<MdaProbe> out;
        for (int round = 0; round < 64; ++round) {
            out.clear();
            if (ex.plan(r, out) == 0) break;
            r.send(out);
        }
        std::set<uint32_t> linked;
        for (uint16_t f = 0; f < 128; ++f)
            if (r.probed(f, 2) && r.probed(f, 3) && r.addr(f, 2) == 2 && r.addr(f, 3)) linked.insert(r.addr(f, 3));
        bool seen = false;
        for (const auto &n : ex.nodes(r)) {
            if (n.ttl != 2 || n.addr != 2) continue;
            seen = true;
            EXPECT_EQ(n.next, (std::vector<uint32_t>{31, 32, 33})) << "salt " << salt;
            for (uint32_t b : n.next) EXPECT_TRUE(linked.count(b)) << "salt " << salt << ": 2 -> " << b << " inferred only";
        }
        EXPECT_TRUE(seen) << "salt " << salt;
    }
}

TEST(MdaExplorer, RejectsBadConfig)
{
    EXPECT_THROW(MdaExplorer({.first_ttl = 1, .last_ttl = 5}), std::invalid_argument);
    EXPECT_THROW(MdaExplorer({.first_ttl = 4, .last_ttl = 3}), std::invalid_argument);
    EXPECT_THROW(MdaExplorer({.hop = {.confidence = 1.0}, .first_ttl = 2, .last_ttl = 3}), std::invalid_argument);
    EXPECT_THROW(MdaExplorer({.hop = {.confidence = 0.95, .max_flows = 0}, .first_ttl = 2, .last_ttl = 3}),
                 std::invalid_argument);
}

namespace {

Trace trace(const std::string &dst, std::vector<std::pair<int, std::string>> hops)
{
    Trace t;
    t.dst = dst;
    for (auto &[ttl, a] : hops) t.hops.push_back(Hop{.ttl = static_cast<uint8_t>(ttl), .addr = a});
    t.reached = !t.hops.empty() && t.hops.back().addr == dst;
    return t;
}

} // namespace

TEST(MdaTargets, AllWhenFewElseOnePerLastRouter)
{
    std::vector<Trace> traces = {
        trace("198.19.1.9", {{3, "10.0.0.3"}, {4, "10.0.0.4"}, {5, "198.19.1.9"}}),
        trace("198.19.2.9", {{4, "10.0.0.4"}, {5, "198.19.2.9"}}),      // same last router
        trace("198.19.3.9", {{2, "10.0.0.2"}, {3, "10.0.0.7"}, {4, ""}}), // unreached: up to its deepest answer
        trace("198.19.4.9", {{2, "198.19.4.9"}}),                      // behind the gateway: nothing to enumerate
        trace("198.19.5.9", {{3, "10.0.0.8"}, {4, ""}, {6, "198.19.5.9"}}), // last router silent
    };
    // The preprobe's answer at max TTL 32 from the gateway's unreachable
    // (quoted TTL 32: it is at distance 1), and a destination that answered
    // only the preprobe (quoted TTL 27: at distance 6).
    Trace unrouted = trace("198.19.6.9", {{32, "10.0.0.1"}});
    unrouted.hops[0].icmp_type = 3;
    unrouted.hops[0].quoted_ttl = 32;
    traces.push_back(unrouted);
    Trace far = trace("198.19.7.9", {{3, "10.0.0.9"}, {32, "198.19.7.9"}});
    far.hops[1].icmp_type = 3;
    far.hops[1].quoted_ttl = 27;
    traces.push_back(far);
    Trace extra_flow = traces[0];
    extra_flow.flow_id = 1; // not the sweep's flow 0: ignored
    traces.push_back(extra_flow);

    const auto all = sweep::pick_mda_targets(traces, 8);
    EXPECT_EQ(all.candidates, 5u);
    EXPECT_EQ(all.groups, 4u);
    EXPECT_EQ(all.left_out, 0u);
    ASSERT_EQ(all.targets.size(), 5u);
    std::map<std::string, int> top;
    for (const auto &t : all.targets) top[format_ipv4(t.dst)] = t.last_ttl;
    EXPECT_EQ(top["198.19.1.9"], 4);
    EXPECT_EQ(top["198.19.2.9"], 4);
    EXPECT_EQ(top["198.19.3.9"], 3);
    EXPECT_EQ(top["198.19.5.9"], 5);
    EXPECT_EQ(top.count("198.19.4.9"), 0u);
    EXPECT_EQ(top.count("198.19.6.9"), 0u); // unrouted at the gateway: nothing to enumerate
    EXPECT_EQ(top["198.19.7.9"], 5);        // distance 6 by its quote, not 32

    const auto two = sweep::pick_mda_targets(traces, 2);
    ASSERT_EQ(two.targets.size(), 2u);
    EXPECT_EQ(two.left_out, 2u);
    // One per last router, the first in address order: 198.19.1.9 for 10.0.0.4.
    EXPECT_EQ(format_ipv4(two.targets[0].dst), "198.19.1.9");
    EXPECT_EQ(format_ipv4(two.targets[1].dst), "198.19.3.9");
}

TEST(MdaTargets, DiscoveryCountsAsTheTableDoes)
{
    const std::vector<Trace> traces = {
        trace("198.19.1.9", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "10.0.0.4"}, {5, "198.19.1.9"}}),
        trace("198.19.1.9", {{2, "10.0.0.3"}, {3, "10.0.0.4"}}),
    };
    const auto d = sweep::count_trace_discovery(traces);
    EXPECT_EQ(d.interfaces, 4u);
    EXPECT_EQ(d.links, 2u); // 1->2 and 3->4; nothing across the silent TTL, nothing to the destination
}
