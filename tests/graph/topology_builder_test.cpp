// Incremental building: vertices, link counters, anonymous merging, prefixes,
// and that nothing is invented: unprobed TTLs, trailing silence, unreachables
// answered far beyond their sender, destinations folded into their /24.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

// An empty address is a probed TTL that stayed silent; a TTL left out was not probed.
Trace make(std::string dst, std::vector<std::pair<int, std::string>> hops, uint16_t flow = 0)
{
    Trace t;
    t.dst = std::move(dst);
    t.flow_id = flow;
    double rtt = 1.0;
    for (auto &[ttl, a] : hops) {
        Hop h;
        h.ttl = static_cast<uint8_t>(ttl);
        h.addr = a;
        h.rtt_ms = rtt;
        rtt += 1.5;
        t.hops.push_back(h);
    }
    return t;
}

VertexId iface(const TopologyBuilder &b, const char *a) { return *b.graph().find_interface(*parse_ipv4(a)); }

TEST(TopologyBuilder, SilentRouterBetweenSameNeighboursIsOneVertex)
{
    TopologyBuilder b;
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.3"}, {4, "198.19.1.1"}}));
    b.add(make("198.19.1.2", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.3"}, {4, "198.19.1.2"}}));
    b.add(make("198.19.2.1", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.9"}, {4, "198.19.2.1"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    size_t anon = 0;
    for (VertexId v = 0; v < g.vertex_count(); ++v) anon += g.vertex(v).kind == VertexKind::anonymous;
    EXPECT_EQ(anon, 2u); // one between .1 and .3 (two paths), one between .1 and .9
    VertexId a = iface(b, "10.0.0.1"), c = iface(b, "10.0.0.3");
    VertexId shared = kNoVertex;
    for (const EdgeRef &e : g.out_edges(a))
        if (e.info->kind == EdgeKind::link && g.vertex(e.dst).kind == VertexKind::anonymous &&
            g.find_edge(e.dst, c, EdgeKind::link))
            shared = e.dst;
    ASSERT_NE(shared, kNoVertex);
    EXPECT_EQ(g.vertex(shared).times_seen, 2u);
    EXPECT_EQ(g.find_edge(a, shared, EdgeKind::link)->times_seen, 2u);
    EXPECT_EQ(g.vertex(a).times_seen, 3u);
}

TEST(TopologyBuilder, LinksCountPathsTtlsAndRttDeltas)
{
    TopologyBuilder b;
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "198.19.1.1"}}, 1));
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}}, 2));
    const TopologyGraph &g = b.graph();
    const EdgeInfo *e = g.find_edge(iface(b, "10.0.0.1"), iface(b, "10.0.0.2"), EdgeKind::link);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->times_seen, 2u);
    EXPECT_EQ(e->flows, 2u);
    EXPECT_EQ(e->min_ttl, 1);
    EXPECT_DOUBLE_EQ(e->min_rtt_delta_ms, 1.5);
    const EdgeInfo *first = g.find_edge(b.vantage(), iface(b, "10.0.0.1"), EdgeKind::link);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->times_seen, 2u);
    // Only the trace that reached its destination reaches the prefix.
    ASSERT_EQ(b.paths().size(), 2u);
    EXPECT_TRUE(b.paths()[0].reached);
    EXPECT_FALSE(b.paths()[1].reached);
    VertexId pfx = b.paths()[0].prefix;
    EXPECT_EQ(g.vertex(pfx).label, "198.19.1.0/24");
    // The destination is folded into its /24: no host vertex, the last router reaches the prefix.
    EXPECT_FALSE(g.find_interface(*parse_ipv4("198.19.1.1")).has_value());
    EXPECT_NE(g.find_edge(iface(b, "10.0.0.2"), pfx, EdgeKind::reaches), nullptr);
}

size_t count_kind(const TopologyGraph &g, VertexKind k)
{
    size_t n = 0;
    for (VertexId v = 0; v < g.vertex_count(); ++v) n += g.vertex(v).kind == k;
    return n;
}

TEST(TopologyBuilder, UnprobedTtlsBecomeNoVertexButAGapOnTheEdge)
{
    TopologyBuilder b;
    // Doubletree: this trace's first probe went out at TTL 11, and 13-14 were never sent.
    b.add(make("198.19.1.1", {{11, "10.0.0.11"}, {12, "10.0.0.12"}, {15, "10.0.0.15"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 0u);
    const EdgeInfo *gap = g.find_edge(iface(b, "10.0.0.12"), iface(b, "10.0.0.15"), EdgeKind::link);
    ASSERT_NE(gap, nullptr);
    EXPECT_EQ(gap->ttl_gap, 2);
    EXPECT_EQ(g.find_edge(iface(b, "10.0.0.11"), iface(b, "10.0.0.12"), EdgeKind::link)->ttl_gap, 0);
    // Nothing else reaches 10.0.0.11, so the vantage joins it across the 10 unprobed TTLs.
    const EdgeInfo *start = g.find_edge(b.vantage(), iface(b, "10.0.0.11"), EdgeKind::link);
    ASSERT_NE(start, nullptr);
    EXPECT_EQ(start->ttl_gap, 10);
    // No path hop below TTL 11.
    const PathRecord &rec = b.paths().front();
    EXPECT_EQ(b.hops()[rec.first_hop].ttl, 11);
    EXPECT_EQ(rec.hop_count, 3u);
}

TEST(TopologyBuilder, StopSetTraceJoinsWhereAnotherTraceReachedFromBelow)
{
    TopologyBuilder b;
    // The stop-set trace comes first in the file: the result must not depend on order.
    b.add(make("198.19.2.1", {{3, "10.0.0.3"}, {4, "198.19.2.1"}}));
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}, {4, "198.19.1.1"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(g.find_edge(b.vantage(), iface(b, "10.0.0.3"), EdgeKind::link), nullptr);
    EXPECT_NE(g.find_edge(iface(b, "10.0.0.2"), iface(b, "10.0.0.3"), EdgeKind::link), nullptr);
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 0u);
    EXPECT_EQ(count_kind(g, VertexKind::prefix), 2u);
}

TEST(TopologyBuilder, PreprobeUnreachableLandsAtItsDistance)
{
    TopologyBuilder b;
    // The TTL-32 preprobe into an unreachable prefix, answered by the first
    // router: Linux quotes the header as it arrived, TTL 32.
    Trace t = make("198.19.99.1", {{32, "198.18.0.1"}});
    t.hops[0].icmp_type = 3;
    t.hops[0].icmp_code = 1;
    t.hops[0].quoted_ttl = 32;
    b.add(t);
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(g.vertex_count(), 2u); // the vantage and the router, nothing invented
    const EdgeInfo *e = g.find_edge(b.vantage(), iface(b, "198.18.0.1"), EdgeKind::link);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->ttl_gap, 0);
    EXPECT_EQ(b.hops()[b.paths()[0].first_hop].ttl, 1);
    EXPECT_EQ(g.vertex(iface(b, "198.18.0.1")).min_ttl, 1);
    // A quote that disagrees with the hops before it is not used.
    Trace u = make("198.19.98.1", {{1, "198.18.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}});
    u.hops[2].icmp_type = 3;
    u.hops[2].quoted_ttl = 3; // would put it at distance 1, before 10.0.0.2
    b.add(u);
    EXPECT_EQ(b.hops().back().ttl, 3);
}

TEST(TopologyBuilder, CompleteTracesKeepFullChains)
{
    TopologyBuilder b;
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "10.0.0.4"}, {5, "198.19.1.1"}}));
    b.add(make("198.19.1.2", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "10.0.0.4"}, {5, "198.19.1.2"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 1u); // one silent router, shared
    EXPECT_EQ(b.paths()[0].hop_count, 5u);
    for (uint32_t i = 0; i < b.paths()[0].hop_count; ++i) EXPECT_EQ(b.hops()[i].ttl, i + 1);
    g.for_each_edge([&](const EdgeRef &e) {
        if (e.info->kind == EdgeKind::link || e.info->kind == EdgeKind::reaches) {
            EXPECT_EQ(e.info->ttl_gap, 0);
        }
    });
}

TEST(TopologyBuilder, LoneSilenceIsTheRouterOtherTracesSawThere)
{
    TopologyBuilder b;
    // A rate-limited router: silent for the first trace, answering the second.
    // Order must not matter, so the silent trace comes first.
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.3"}, {4, "198.19.1.1"}}));
    b.add(make("198.19.1.2", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}, {4, "198.19.1.2"}}));
    // Two routers seen between the same ends (ECMP): a silence there stays anonymous.
    b.add(make("198.19.2.1", {{1, "10.0.0.1"}, {2, "10.0.0.21"}, {3, "10.0.0.9"}, {4, "198.19.2.1"}}));
    b.add(make("198.19.2.2", {{1, "10.0.0.1"}, {2, "10.0.0.22"}, {3, "10.0.0.9"}, {4, "198.19.2.2"}}));
    b.add(make("198.19.2.3", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.9"}, {4, "198.19.2.3"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 1u);
    const PathHop &slot = b.hops()[b.paths()[0].first_hop + 1];
    EXPECT_FALSE(slot.responded());
    EXPECT_EQ(slot.vertex, iface(b, "10.0.0.2"));
    EXPECT_EQ(g.find_edge(iface(b, "10.0.0.1"), iface(b, "10.0.0.2"), EdgeKind::link)->times_seen, 2u);
    EXPECT_EQ(g.vertex(iface(b, "10.0.0.2")).times_seen, 1u); // one reply, not two
    EXPECT_EQ(g.find_edge(iface(b, "10.0.0.1"), iface(b, "10.0.0.3"), EdgeKind::link), nullptr);
}

// A silent router next to one that was rate-limited for this trace: the two
// silent TTLs are the one chain other traces saw there, not two new vertices.
TEST(TopologyBuilder, SilentRunFollowsTheOneChainSeenBetweenItsEnds)
{
    TopologyBuilder b;
    b.add(make("198.19.2.1", {{1, "10.0.0.1"}, {2, ""}, {3, ""}, {4, "10.0.0.4"}, {5, "198.19.2.1"}}));
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, ""}, {3, "10.0.0.3"}, {4, "10.0.0.4"}, {5, "198.19.1.1"}}));
    // Two routers between the same ends: an unresolved double silence stays anonymous.
    b.add(make("198.19.3.1", {{1, "10.0.0.1"}, {2, "10.0.0.12"}, {3, "10.0.0.13"}, {4, "10.0.0.9"}, {5, "198.19.3.1"}}));
    b.add(make("198.19.3.2", {{1, "10.0.0.1"}, {2, "10.0.0.22"}, {3, "10.0.0.23"}, {4, "10.0.0.9"}, {5, "198.19.3.2"}}));
    b.add(make("198.19.3.3", {{1, "10.0.0.1"}, {2, ""}, {3, ""}, {4, "10.0.0.9"}, {5, "198.19.3.3"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 3u); // the silent router, and the two of the ambiguous run
    const PathRecord &run = b.paths()[0];
    const VertexId silent = b.hops()[run.first_hop + 1].vertex;
    EXPECT_EQ(g.vertex(silent).kind, VertexKind::anonymous);
    EXPECT_EQ(silent, b.hops()[b.paths()[1].first_hop + 1].vertex);
    EXPECT_EQ(b.hops()[run.first_hop + 2].vertex, iface(b, "10.0.0.3"));
    EXPECT_EQ(g.vertex(silent).times_seen, 2u);
    const PathRecord &ambiguous = b.paths()[4];
    EXPECT_EQ(g.vertex(b.hops()[ambiguous.first_hop + 1].vertex).kind, VertexKind::anonymous);
}

TEST(TopologyBuilder, SilenceBeforeADestinationSeenNearerIsTheDestination)
{
    TopologyBuilder b;
    // The probe at the destination's distance (3) was lost; TTL 4 reached it.
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "198.19.1.1"}}));
    b.add(make("198.19.1.2", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "198.19.1.2"}}));
    // A real silent router before a prefix nobody reached nearer stays anonymous.
    b.add(make("198.19.9.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "198.19.9.1"}}));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 1u);
    const PathRecord &late = b.paths()[0];
    ASSERT_EQ(late.hop_count, 3u);
    EXPECT_EQ(b.hops()[late.first_hop + 2].ttl, 3);
    EXPECT_TRUE(b.hops()[late.first_hop + 2].flags & PathHop::kDestination);
    EXPECT_NE(g.find_edge(iface(b, "10.0.0.2"), late.prefix, EdgeKind::reaches), nullptr);
    // The other paths' hops are intact after the slot was closed.
    const PathRecord &other = b.paths()[2];
    ASSERT_EQ(other.hop_count, 4u);
    EXPECT_EQ(g.vertex(b.hops()[other.first_hop + 2].vertex).kind, VertexKind::anonymous);
}

// One address per /24 (the default sweep): no other trace of the prefix, so
// the reply TTL of the destinations right behind the same hop decides.
TEST(TopologyBuilder, ReplyTtlOfSiblingDestinationsPlacesASilence)
{
    auto dest = [](Trace t, int reply_ttl) {
        t.hops.back().reply_ttl = reply_ttl;
        return t;
    };
    TopologyBuilder b;
    // 10.0.0.3 has destinations right behind it answering with reply TTL 61.
    b.add(dest(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}, {4, "198.19.1.1"}}), 61));
    // Lost probe to the destination itself (same reply TTL as its siblings).
    b.add(dest(make("198.19.2.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}, {4, ""}, {5, "198.19.2.1"}}), 61));
    // 10.0.0.3 silent for this trace: its destination answers like 10.0.0.3's destinations.
    b.add(dest(make("198.19.3.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, ""}, {4, "198.19.3.1"}}), 61));
    // One router further (reply TTL 60): a real silent router behind 10.0.0.3.
    b.add(dest(make("198.19.4.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "10.0.0.3"}, {4, ""}, {5, "198.19.4.1"}}), 60));
    b.finish();
    const TopologyGraph &g = b.graph();
    EXPECT_EQ(count_kind(g, VertexKind::anonymous), 1u);
    const PathRecord &lost = b.paths()[1];
    ASSERT_EQ(lost.hop_count, 4u);
    EXPECT_EQ(b.hops()[lost.first_hop + 3].ttl, 4);
    const PathRecord &quiet = b.paths()[2];
    EXPECT_EQ(b.hops()[quiet.first_hop + 2].vertex, iface(b, "10.0.0.3"));
    const PathRecord &deeper = b.paths()[3];
    EXPECT_EQ(g.vertex(b.hops()[deeper.first_hop + 3].vertex).kind, VertexKind::anonymous);
}

TEST(TopologyBuilder, TrailingSilenceEndsThePath)
{
    TopologyBuilder b;
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, ""}, {3, ""}, {4, ""}}));
    b.add(make("198.19.1.2", {{1, ""}, {2, ""}}));
    b.finish();
    EXPECT_EQ(count_kind(b.graph(), VertexKind::anonymous), 0u);
    EXPECT_EQ(b.paths()[0].hop_count, 1u);
    EXPECT_EQ(b.paths()[1].hop_count, 0u);
}

TEST(TopologyBuilder, DestinationsFoldIntoTheirPrefix)
{
    TopologyBuilder b;
    for (int host = 1; host <= 4; ++host) {
        Trace t = make("198.19.1." + std::to_string(host), {{1, "10.0.0.1"}, {2, "198.19.1.254"}, {3, "198.19.1." + std::to_string(host)}});
        t.hops[2].rtt_ms = 10.0 + host;
        if (host == 4) t.hops.pop_back(); // probed, not reached
        b.add(t);
    }
    Trace flow1 = make("198.19.1.1", {{1, "10.0.0.1"}, {2, "198.19.1.254"}, {3, "198.19.1.1"}}, 1); // a second flow
    flow1.hops[2].rtt_ms = 12.5;
    b.add(flow1);
    b.finish();
    const TopologyGraph &g = b.graph();
    ASSERT_EQ(count_kind(g, VertexKind::prefix), 1u);
    // The router answering from inside the /24 stays an interface; the hosts do not.
    EXPECT_TRUE(g.find_interface(*parse_ipv4("198.19.1.254")).has_value());
    for (const char *h : {"198.19.1.1", "198.19.1.2", "198.19.1.3"}) EXPECT_FALSE(g.find_interface(*parse_ipv4(h)).has_value());
    const VertexId pfx = b.paths()[0].prefix;
    const PrefixStats *s = g.prefix_stats(pfx);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->hosts_probed, 4u);
    EXPECT_EQ(s->hosts_reached, 3u);
    EXPECT_FLOAT_EQ(s->rtt_min_ms, 11.0f);
    EXPECT_FLOAT_EQ(s->rtt_max_ms, 13.0f);
    EXPECT_NE(g.find_edge(iface(b, "198.19.1.254"), pfx, EdgeKind::reaches), nullptr);
    // The path still names the host it reached.
    const PathRecord &rec = b.paths()[1];
    EXPECT_EQ(b.hop_address(rec, b.hops()[rec.first_hop + rec.hop_count - 1]), *parse_ipv4("198.19.1.2"));

    TopologyBuilder hosts({.host_vertices = true});
    hosts.add(make("198.19.1.1", {{1, "10.0.0.1"}, {2, "198.19.1.1"}}));
    EXPECT_TRUE(hosts.graph().find_interface(*parse_ipv4("198.19.1.1")).has_value());
}

TEST(TopologyBuilder, BadAddressesThrowNamingThem)
{
    TopologyBuilder b;
    try {
        b.add(make("198.19.1.1", {{1, "10.0.0.300"}}));
        FAIL() << "no throw";
    } catch (const std::invalid_argument &e) {
        EXPECT_NE(std::string(e.what()).find("10.0.0.300"), std::string::npos);
    }
    EXPECT_THROW(b.add(make("not-an-ip", {})), std::invalid_argument);
}

TEST(TopologyBuilder, RdnsAttachesToVertex)
{
    TopologyBuilder b;
    Trace t = make("198.19.1.1", {{1, "10.0.0.1"}});
    t.hops[0].rdns = "be1.r1.ams1.example.net";
    b.add(t);
    EXPECT_EQ(b.graph().vertex(iface(b, "10.0.0.1")).rdns, "be1.r1.ams1.example.net");
}

} // namespace

namespace
{

// A hop known by its name only (mtr without -n) is a vertex keyed by the name.
TEST(TopologyBuilder, NamedHopsMeetByName)
{
    TopologyBuilder b;
    for (const char *dst : {"198.19.1.1", "198.19.2.1"}) {
        Trace t = make(dst, {{1, "10.0.0.1"}, {2, ""}, {3, ""}, {4, dst}});
        t.hops[1].rdns = "core1.example.net"; // answered, address unknown
        b.add(t);                             // TTL 3 stays silent
    }
    b.finish();
    VertexId named = kNoVertex;
    size_t anonymous = 0;
    for (VertexId v = 0; v < b.graph().vertex_count(); ++v) {
        const auto &vi = b.graph().vertex(v);
        if (vi.kind == VertexKind::interface && vi.addr == 0) {
            EXPECT_EQ(named, kNoVertex) << "one vertex for the name";
            named = v;
        }
        anonymous += vi.kind == VertexKind::anonymous;
    }
    ASSERT_NE(named, kNoVertex);
    EXPECT_EQ(b.graph().vertex(named).label, "core1.example.net");
    EXPECT_EQ(b.graph().vertex(named).rdns, "core1.example.net");
    EXPECT_EQ(b.graph().vertex(named).times_seen, 2u);
    const auto first = b.graph().find_interface(*parse_ipv4("10.0.0.1"));
    ASSERT_TRUE(first);
    const EdgeInfo *e = b.graph().find_edge(*first, named, EdgeKind::link);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->times_seen, 2u);
    EXPECT_GE(anonymous, 1u); // the silent TTL 3 after it
}

// An answer whose RTT was not measured (an Atlas "late" reply) counts as
// seen but is no RTT sample: not 0 ms in the vertex's minimum, nor a
// negative increment on its links.
TEST(TopologyBuilder, UnmeasuredRttIsNoSample)
{
    TopologyBuilder b;
    Trace late = make("198.19.1.1", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "198.19.1.1"}});
    late.hops[1].rtt_known = false;
    late.hops[1].rtt_ms = 0.0;
    b.add(late);
    b.finish();
    const VertexInfo &only_late = b.graph().vertex(iface(b, "10.0.0.2"));
    EXPECT_EQ(only_late.times_seen, 1u);
    EXPECT_EQ(only_late.rtt_samples, 0u);
    const EdgeInfo *in = b.graph().find_edge(iface(b, "10.0.0.1"), iface(b, "10.0.0.2"), EdgeKind::link);
    ASSERT_NE(in, nullptr);
    EXPECT_TRUE(std::isinf(in->min_rtt_delta_ms)); // no increment measured

    TopologyBuilder b2;
    b2.add(late);
    b2.add(make("198.19.1.2", {{1, "10.0.0.1"}, {2, "10.0.0.2"}, {3, "198.19.1.2"}})); // 10.0.0.2 at 2.5 ms
    b2.finish();
    const VertexInfo &v = b2.graph().vertex(iface(b2, "10.0.0.2"));
    EXPECT_EQ(v.times_seen, 2u);
    EXPECT_EQ(v.rtt_samples, 1u);
    EXPECT_DOUBLE_EQ(v.rtt_min_ms, 2.5); // not the late reply's 0
    EXPECT_DOUBLE_EQ(v.rtt_sum_ms, 2.5);
    const EdgeInfo *e = b2.graph().find_edge(iface(b2, "10.0.0.1"), iface(b2, "10.0.0.2"), EdgeKind::link);
    ASSERT_NE(e, nullptr);
    EXPECT_FLOAT_EQ(e->min_rtt_delta_ms, 1.5f);
}

} // namespace
