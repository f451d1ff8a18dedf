// Chokepoints: dominators from the vantage and articulation points.
#include <gtest/gtest.h>

#include "graph/topology_analysis.h"
#include "small_topology.h"

using namespace pathmap::graph;

namespace {

TEST(Analysis, DominatorsCountPrefixesBehindEachHop)
{
    TopologyBuilder b;
    b.add(fixtures::small_topology());
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
    auto links = top_links(b.graph(), 3);
    ASSERT_EQ(links.size(), 3u);
    EXPECT_EQ(links[0].paths, 4u);
    EXPECT_GE(links[0].paths, links[2].paths);
}

} // namespace
