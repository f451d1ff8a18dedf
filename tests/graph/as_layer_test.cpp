// The AS layer: as vertices, in_as and as_link edges, as_boundary in the
// exports, and the report's AS path per prefix, from a pfx2as file.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "graph/as_layer.h"
#include "graph/graph_export.h"
#include "graph/graph_outputs.h"
#include "graph/topology_annotator.h"
#include "graph/topology_report.h"
#include "pathmap/ipv4.h"
#include "small_topology.h"

using namespace pathmap::graph;
namespace fs = std::filesystem;

namespace {

// r1, r2 in AS64500; r3a, r3b in AS64501; r4 in AS64502; the rest none.
fs::path write_pfx2as(const fs::path &dir)
{
    fs::create_directories(dir);
    const fs::path p = dir / "pfx2as.txt";
    std::ofstream(p) << "198.18.0.0\t23\t64500\n198.18.2.0\t23\t64501\n198.18.4.0\t24\t64502\n";
    return p;
}

struct Built {
    TopologyBuilder b;
    AsLayerSummary s;
};

void build(Built &out, const fs::path &pfx2as_file)
{
    out.b.add(pathmap::graph::fixtures::small_topology());
    out.b.finish();
    RuleSet rules = default_rules();
    PrefixTable pfx = PrefixTable::load_pfx2as(pfx2as_file);
    HopClassifier c(out.b, {.rules = &rules, .pfx2as = &pfx});
    annotate_topology(out.b, c, rules);
    out.s = add_as_layer(out.b.graph());
}

VertexId find_as(const TopologyGraph &g, int64_t asn)
{
    for (VertexId v = 0; v < g.vertex_count(); ++v)
        if (g.vertex(v).kind == VertexKind::autonomous_system && g.vertex(v).asn == asn) return v;
    return kNoVertex;
}

} // namespace

TEST(AsLayer, InterfacesJoinTheirAsAndCrossingsLinkTheAses)
{
    const fs::path dir = fs::path(::testing::TempDir()) / "as_layer_edges";
    Built built;
    build(built, write_pfx2as(dir));
    const TopologyGraph &g = built.b.graph();
    EXPECT_EQ(built.s.ases, 3u);
    EXPECT_EQ(built.s.interfaces, 5u); // r1 r2 r3a r3b r4
    // r2->r3a, r2->r3b (64500->64501), r3a->r4, r3b->r4 (64501->64502)
    EXPECT_EQ(built.s.boundary_links, 4u);
    const VertexId a0 = find_as(g, 64500), a1 = find_as(g, 64501), a2 = find_as(g, 64502);
    ASSERT_NE(a0, kNoVertex);
    ASSERT_NE(a1, kNoVertex);
    ASSERT_NE(a2, kNoVertex);
    EXPECT_EQ(g.vertex(a1).label, "AS64501");
    EXPECT_EQ(g.vertex(a1).times_seen, 2u);

    std::map<std::string, VertexId> in_as; // interface label -> AS vertex
    std::map<std::pair<VertexId, VertexId>, uint32_t> as_links;
    size_t boundary = 0, links = 0;
    g.for_each_edge([&](const EdgeRef &e) {
        if (e.info->kind == EdgeKind::in_as) in_as[g.vertex(e.src).label] = e.dst;
        if (e.info->kind == EdgeKind::as_link) as_links[{e.src, e.dst}] = e.info->times_seen;
        if (e.info->kind == EdgeKind::link) {
            ++links;
            boundary += is_as_boundary(g, e);
        }
    });
    EXPECT_EQ(in_as.size(), 5u);
    EXPECT_EQ(in_as["198.18.0.1"], a0);
    EXPECT_EQ(in_as["198.18.3.1"], a1);
    EXPECT_EQ(in_as["198.18.4.1"], a2);
    EXPECT_EQ(in_as.count("100.64.0.1"), 0u); // no AS known: no in_as
    EXPECT_EQ(boundary, 4u);
    EXPECT_LT(boundary, links);
    ASSERT_EQ(as_links.size(), 2u);
    EXPECT_EQ(as_links[std::make_pair(a0, a1)], 4u); // each of the 4 traces crosses once
    EXPECT_EQ(as_links[std::make_pair(a1, a2)], 4u);
    EXPECT_EQ(as_links.count(std::make_pair(a1, a0)), 0u);

    std::ostringstream graphml;
    write_graphml(g, graphml, nullptr);
    EXPECT_NE(graphml.str().find("attr.name=\"as_boundary\" attr.type=\"boolean\""), std::string::npos);
    EXPECT_NE(graphml.str().find("<data key=\"kind\">as</data>"), std::string::npos);
}

TEST(AsLayer, ReportGivesTheAsPathToEachPrefix)
{
    const fs::path dir = fs::path(::testing::TempDir()) / "as_layer_report";
    fs::remove_all(dir);
    const fs::path pfx = write_pfx2as(dir / "in");
    write_graph_outputs(pathmap::graph::fixtures::small_topology(), dir / "out",
                        {.pfx2as_file = pfx, .png = false, .location_db = ""});
    const nlohmann::json r = build_report(dir / "out", {});
    ASSERT_TRUE(r.contains("as_paths"));
    std::map<std::string, std::vector<int64_t>> got;
    for (const auto &p : r["as_paths"]) {
        ASSERT_EQ(p["paths"].size(), 1u) << p.dump();
        got[p["prefix"].get<std::string>()] = p["paths"][0]["as_path"].get<std::vector<int64_t>>();
    }
    const std::vector<int64_t> want{64500, 64501, 64502};
    EXPECT_EQ(got.size(), 3u);
    EXPECT_EQ(got["198.19.1.0/24"], want);
    EXPECT_EQ(got["198.19.2.0/24"], want); // the CGNAT and backbone hops after AS64502 have no AS
    const std::string text = render_report_text(r);
    EXPECT_NE(text.find("198.19.1.0/24      AS64500 AS64501 AS64502  [2 traces]"), std::string::npos) << text;
}
