// Chokepoints: dominators from the vantage and articulation points.
#include <gtest/gtest.h>

#include "graph/topology_analysis.h"
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
