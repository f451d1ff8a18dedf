// Incremental building: vertices, link counters, anonymous merging, prefixes.
#include <gtest/gtest.h>

#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

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
    b.add(make("198.19.1.1", {{1, "10.0.0.1"}, {3, "10.0.0.3"}, {4, "198.19.1.1"}}));
    b.add(make("198.19.1.2", {{1, "10.0.0.1"}, {3, "10.0.0.3"}, {4, "198.19.1.2"}}));
    b.add(make("198.19.2.1", {{1, "10.0.0.1"}, {3, "10.0.0.9"}, {4, "198.19.2.1"}}));
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
    EXPECT_NE(g.find_edge(iface(b, "198.19.1.1"), pfx, EdgeKind::reaches), nullptr);
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
