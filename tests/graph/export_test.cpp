// GraphML and GEXF of a small topology against golden files, plus the
// properties Gephi needs (label/weight keys, no NaN, typed keys).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "graph/graph_export.h"
#include "graph/graph_outputs.h"
#include "graph/topology_annotator.h"
#include "small_topology.h"

using namespace pathmap::graph;

namespace {

struct Exports {
    std::string graphml, gexf, dot;
    Annotation ann;
};

Exports build()
{
    TopologyBuilder b;
    b.add(fixtures::small_topology());
    RuleSet rules = default_rules();
    HopClassifier c(b, {.rules = &rules});
    Exports e;
    e.ann = annotate_topology(b, c, rules);
    std::ostringstream g, x, d;
    write_graphml(b.graph(), g);
    write_gexf(b.graph(), x);
    write_dot(b.graph(), e.ann, d);
    e.graphml = g.str();
    e.gexf = x.str();
    e.dot = d.str();
    return e;
}

std::string golden(const std::string &name, const std::string &actual)
{
    std::string path = std::string(PATHMAP_TEST_DATA) + "/graph/" + name;
    if (std::getenv("PATHMAP_UPDATE_GOLDEN")) std::ofstream(path) << actual;
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(Export, GraphmlMatchesGolden)
{
    Exports e = build();
    EXPECT_EQ(e.graphml, golden("small_topology.graphml", e.graphml));
}

TEST(Export, GexfMatchesGolden)
{
    Exports e = build();
    EXPECT_EQ(e.gexf, golden("small_topology.gexf", e.gexf));
}

TEST(Export, GephiKeysAndNoNan)
{
    Exports e = build();
    EXPECT_NE(e.graphml.find(R"(<key id="label" for="node" attr.name="label" attr.type="string"/>)"), std::string::npos);
    EXPECT_NE(e.graphml.find(R"(<key id="weight" for="edge" attr.name="weight" attr.type="double"/>)"), std::string::npos);
    EXPECT_NE(e.graphml.find(R"(attr.name="asn" attr.type="long")"), std::string::npos);
    for (const std::string *s : {&e.graphml, &e.gexf}) {
        EXPECT_EQ(s->find("nan"), std::string::npos);
        EXPECT_EQ(s->find("inf"), std::string::npos);
    }
    EXPECT_NE(e.gexf.find("<viz:color r=\"251\" g=\"128\" b=\"114\"/>"), std::string::npos); // a cgnat vertex
}

TEST(Export, ClustersFoundInSmallTopology)
{
    Exports e = build();
    std::map<ClusterKind, int> kinds;
    for (const ClusterRecord &c : e.ann.clusters) ++kinds[c.kind];
    EXPECT_EQ(kinds[ClusterKind::cgnat], 1);
    EXPECT_EQ(kinds[ClusterKind::private_backbone], 1);
    EXPECT_EQ(kinds[ClusterKind::ecmp_diamond], 1);
    for (const ClusterRecord &c : e.ann.clusters) {
        if (c.kind == ClusterKind::ecmp_diamond) {
            EXPECT_EQ(c.members.size(), 4u);
        } // r2, r3a, r3b, r4
        if (c.kind == ClusterKind::cgnat) {
            EXPECT_EQ(c.members.size(), 2u);
        }
        if (c.kind == ClusterKind::private_backbone) {
            EXPECT_EQ(c.members.size(), 3u);
        } // with the silent hop
    }
    EXPECT_NE(e.dot.find("subgraph cluster_"), std::string::npos);
}

TEST(Export, WriteGraphOutputsWritesEveryFile)
{
    std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "graph_outputs";
    std::filesystem::remove_all(dir);
    GraphOutputSummary s = write_graph_outputs(fixtures::small_topology(), dir, {.png = false});
    for (const char *f : {"topology.graphml", "topology.gexf", "topology.dot", "profiles.jsonl"})
        EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
    EXPECT_EQ(s.traces, 4u);
    std::ifstream in(dir / "profiles.jsonl");
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        ++lines;
        EXPECT_NE(line.find("\"summary\""), std::string::npos);
        EXPECT_NE(line.find("\"usable_distance_hops\""), std::string::npos);
    }
    EXPECT_EQ(lines, 4);
    EXPECT_THROW(write_graph_outputs(fixtures::small_topology(), "/proc/nope/x", {}), std::runtime_error);
}

} // namespace
