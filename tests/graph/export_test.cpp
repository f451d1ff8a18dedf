// GraphML and GEXF of a small topology against golden files, plus the
// properties Gephi needs (label/weight keys, no NaN, typed keys).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
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
    b.finish();
    RuleSet rules = default_rules();
    HopClassifier c(b, {.rules = &rules});
    Exports e;
    e.ann = annotate_topology(b, c, rules);
    // The layered layout (no graphviz run): deterministic positions for the goldens.
    const GraphLayout layout = lay_out_graph(b.graph(), e.ann, "", {.render_png = false});
    EXPECT_EQ(layout.engine, "layered");
    std::ostringstream g, x, d;
    write_graphml(b.graph(), g, &layout);
    write_gexf(b.graph(), x, &layout);
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

// Gephi's GraphML importer reads x, y, size and r, g, b from node data; one
// edge per ordered node pair, each with a weight.
TEST(Export, GephiPositionsColoursAndOneEdgePerPair)
{
    Exports e = build();
    for (const char *key : {R"(<key id="x" for="node" attr.name="x" attr.type="double"/>)",
                            R"(<key id="r" for="node" attr.name="r" attr.type="int"/>)",
                            R"(<key id="size" for="node" attr.name="size" attr.type="double"/>)",
                            R"(<key id="ttl_gap" for="edge" attr.name="ttl_gap" attr.type="int"/>)",
                            R"(<key id="hosts_probed" for="node" attr.name="hosts_probed" attr.type="long"/>)"})
        EXPECT_NE(e.graphml.find(key), std::string::npos) << key;
    size_t nodes = 0, xs = 0, rs = 0;
    for (size_t p = 0; (p = e.graphml.find("<node id=", p)) != std::string::npos; ++p) ++nodes;
    for (size_t p = 0; (p = e.graphml.find("<data key=\"x\">", p)) != std::string::npos; ++p) ++xs;
    for (size_t p = 0; (p = e.graphml.find("<data key=\"r\">", p)) != std::string::npos; ++p) ++rs;
    EXPECT_GT(nodes, 10u);
    EXPECT_EQ(xs, nodes);
    EXPECT_EQ(rs, nodes);
    std::set<std::pair<std::string, std::string>> pairs;
    size_t edges = 0;
    for (size_t p = 0; (p = e.graphml.find("<edge id=", p)) != std::string::npos; ++p) {
        ++edges;
        size_t s1 = e.graphml.find("source=\"", p) + 8, t1 = e.graphml.find("target=\"", p) + 8;
        pairs.emplace(e.graphml.substr(s1, e.graphml.find('"', s1) - s1), e.graphml.substr(t1, e.graphml.find('"', t1) - t1));
    }
    EXPECT_EQ(pairs.size(), edges);
    EXPECT_NE(e.gexf.find("<viz:position x="), std::string::npos);
    // Destinations are folded: three /24 prefixes with their host counts, no host vertices.
    EXPECT_NE(e.graphml.find("<data key=\"hosts_reached\">2</data>"), std::string::npos); // 198.19.1.0/24: .1 and .2
    EXPECT_EQ(e.graphml.find(">198.19.1.1<"), std::string::npos);
}

// Many /24s behind one router fold into one node in the picture; the DOT
// file keeps every one; graphviz keeps the PNG within 6000 px.
TEST(Export, PictureFoldsPrefixesAndFitsTheScreen)
{
    TopologyBuilder b;
    for (int r = 0; r < 4; ++r)
        for (int k = 0; k < 64; ++k) {
            pathmap::Trace t;
            t.dst = "198.19." + std::to_string(r * 64 + k) + ".7";
            t.hops.push_back({.ttl = 1, .addr = "198.18.0.1", .rtt_ms = 0.5});
            t.hops.push_back({.ttl = 2, .addr = "198.18.1." + std::to_string(r + 1), .rtt_ms = 1.0});
            t.hops.push_back({.ttl = 3, .addr = t.dst, .rtt_ms = 1.5});
            b.add(t);
        }
    b.finish();
    RuleSet rules = default_rules();
    HopClassifier c(b, {.rules = &rules});
    Annotation ann = annotate_topology(b, c, rules);
    const std::string pic = picture_dot(b.graph(), ann);
    EXPECT_NE(pic.find("64 /24s"), std::string::npos);
    EXPECT_EQ(pic.find("198.19.5.0/24\\n"), std::string::npos); // folded, not drawn alone
    std::ostringstream full;
    write_dot(b.graph(), ann, full);
    EXPECT_NE(full.str().find("198.19.5.0/24"), std::string::npos);
    const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "picture";
    std::filesystem::create_directories(dir);
    const GraphLayout layout = lay_out_graph(b.graph(), ann, dir / "topology.png");
    EXPECT_EQ(layout.folded_nodes, 4u);
    EXPECT_LE(layout.picture_nodes, 12u);
    ASSERT_TRUE(layout.png_written) << layout.note << " (graphviz is installed by scripts/setup.sh)";
    EXPECT_EQ(layout.engine, "dot");
    std::ifstream png(dir / "topology.png", std::ios::binary);
    unsigned char head[24] = {};
    png.read(reinterpret_cast<char *>(head), sizeof head);
    const uint32_t w = head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
    const uint32_t h = head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
    EXPECT_GT(w, 50u);
    EXPECT_LE(std::max(w, h), 6000u);
    // Folded prefixes sit in a ring around their node, not all at one point.
    std::set<std::pair<long, long>> spots;
    for (VertexId v = 0; v < b.graph().vertex_count(); ++v)
        if (b.graph().vertex(v).kind == VertexKind::prefix)
            spots.emplace(std::lround(layout.position[v].x), std::lround(layout.position[v].y));
    EXPECT_GT(spots.size(), 200u);
    EXPECT_FALSE(std::filesystem::exists(dir / ".topology.picture.dot"));
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
