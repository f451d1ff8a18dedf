// Chokepoints: dominators from the vantage and articulation points.
#include <gtest/gtest.h>

#include <map>

#include "graph/topology_analysis.h"
#include "pathmap/ipv4.h"
#include "small_topology.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

TEST(Analysis, DominatorsCountPrefixesBehindEachHop)
{
    TopologyBuilder b;
    b.add(fixtures::small_topology());
    b.finish();
    auto cps = find_chokepoints(b);
    std::map<std::string, size_t> behind;
    std::map<std::string, bool> ap;
    for (const Chokepoint &c : cps) {
        behind[c.label] = c.prefixes_behind;
        ap[c.label] = c.articulation_point;
    }
    // Every path crosses r1, r2 and r4: three prefixes each. The diamond's
    // branches dominate nothing.
    EXPECT_EQ(behind["198.18.0.1"], 3u);
    EXPECT_EQ(behind["198.18.1.1"], 3u);
    EXPECT_EQ(behind["198.18.4.1"], 3u);
    EXPECT_EQ(behind.count("198.18.2.1"), 0u);
    EXPECT_EQ(behind.count("198.18.3.1"), 0u);
    EXPECT_EQ(behind["100.64.0.1"], 2u);
    EXPECT_EQ(behind["10.0.0.3"], 2u);
    EXPECT_TRUE(ap["198.18.4.1"]);
    EXPECT_TRUE(ap["198.18.0.1"]);
    EXPECT_TRUE(ap["198.18.1.1"]);
    EXPECT_FALSE(ap["198.18.2.1"]);
    EXPECT_EQ(cps.front().prefixes_behind, 3u);
}

TEST(Analysis, TopLinksByPaths)
{
    TopologyBuilder b;
    b.add(fixtures::small_topology());
    b.finish();
    auto links = top_links(b, 3);
    ASSERT_EQ(links.size(), 3u);
    EXPECT_EQ(links[0].paths, 4u);
    EXPECT_GE(links[0].paths, links[2].paths);
}

TEST(Analysis, TopLinksNameAnsweredEndsNotSilentChains)
{
    TopologyBuilder b;
    for (int i = 0; i < 3; ++i) {
        Trace t;
        t.dst = "198.19.1." + std::to_string(i + 1);
        for (int ttl = 1; ttl <= 5; ++ttl) {
            Hop h;
            h.ttl = static_cast<uint8_t>(ttl);
            if (ttl == 1) h.addr = "10.0.0.1";
            if (ttl == 5) h.addr = "10.0.0.5"; // 2-4 probed and silent
            t.hops.push_back(h);
        }
        b.add(t);
    }
    b.finish();
    bool found = false;
    for (const LinkLoad &l : top_links(b, 10)) {
        EXPECT_NE(l.from.rfind('*', 0), 0u) << l.from;
        EXPECT_NE(l.to.rfind('*', 0), 0u) << l.to;
        if (l.from == "10.0.0.1" && l.to == "10.0.0.5") {
            found = true;
            EXPECT_EQ(l.silent_between, 3);
            EXPECT_EQ(l.paths, 3u);
        }
    }
    EXPECT_TRUE(found);
}

} // namespace

namespace {

Trace from_vantage(std::string vantage, std::string dst, std::vector<std::string> hops)
{
    Trace t;
    t.dst = std::move(dst);
    t.vantage_id = std::move(vantage);
    for (size_t i = 0; i < hops.size(); ++i) {
        Hop h;
        h.ttl = static_cast<uint8_t>(i + 1);
        h.addr = hops[i];
        h.rtt_ms = 1.0 + static_cast<double>(i);
        t.hops.push_back(h);
    }
    return t;
}

// Two vantage points: each path starts at its own vantage vertex, and a
// router only one of them crosses cuts nothing off (the other still gets there).
TEST(Analysis, SeveralVantagePointsEachStartTheirPathsAndShareChokepoints)
{
    TopologyBuilder b;
    b.add(from_vantage("ams", "198.19.1.1", {"10.0.1.1", "10.0.9.1", "198.19.1.1"}));
    b.add(from_vantage("fra", "198.19.1.2", {"10.0.2.1", "10.0.9.1", "198.19.1.2"}));
    b.add(from_vantage("ams", "198.19.2.1", {"10.0.1.1", "10.0.8.1", "198.19.2.1"}));
    b.finish();
    const TopologyGraph &g = b.graph();
    ASSERT_EQ(b.vantages().size(), 2u); // the first named vantage took the vertex made up front
    size_t vantage_vertices = 0;
    for (VertexId v = 0; v < g.vertex_count(); ++v) vantage_vertices += g.vertex(v).kind == VertexKind::vantage;
    EXPECT_EQ(vantage_vertices, 2u);
    const VertexId ams = b.vantages()[0], fra = b.vantages()[1];
    EXPECT_EQ(g.vertex(ams).label, "ams");
    EXPECT_EQ(g.vertex(fra).label, "fra");
    const VertexId a1 = *g.find_interface(*parse_ipv4("10.0.1.1")), f1 = *g.find_interface(*parse_ipv4("10.0.2.1"));
    EXPECT_NE(g.find_edge(ams, a1, EdgeKind::link), nullptr);
    EXPECT_NE(g.find_edge(fra, f1, EdgeKind::link), nullptr);
    EXPECT_EQ(g.find_edge(ams, f1, EdgeKind::link), nullptr); // nobody measured that
    EXPECT_EQ(g.find_edge(fra, a1, EdgeKind::link), nullptr);
    EXPECT_EQ(b.paths()[1].vantage, fra);
    std::map<std::string, size_t> behind;
    for (const Chokepoint &c : find_chokepoints(b)) behind[c.label] = c.prefixes_behind;
    // 198.19.1.0/24 is reached from both sides through 10.0.9.1 only;
    // 198.19.2.0/24 only from ams, through 10.0.1.1 and 10.0.8.1.
    EXPECT_EQ(behind["10.0.9.1"], 1u);
    EXPECT_EQ(behind["10.0.1.1"], 1u);
    EXPECT_EQ(behind["10.0.8.1"], 1u);
    EXPECT_EQ(behind.count("10.0.2.1"), 0u);
}

TEST(Analysis, AtlasProbeNumbersAreLabelledAsProbes)
{
    TopologyBuilder b;
    b.add(from_vantage("6001", "198.19.1.1", {"10.0.1.1", "198.19.1.1"}));
    b.add(from_vantage("", "198.19.1.2", {"10.0.2.1", "198.19.1.2"}));
    b.finish();
    ASSERT_EQ(b.vantages().size(), 2u);
    EXPECT_EQ(b.graph().vertex(b.vantages()[0]).label, "probe 6001");
    EXPECT_EQ(b.graph().vertex(b.vantages()[1]).label, "vantage");
}

} // namespace
