// traces.jsonl lines parsed straight into builder replies must build the same
// graph as the Trace path (the fallback every unusual line takes), and the
// graph's compact storage must answer adjacency queries as before.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <unistd.h>

#include "graph/input_formats.h"
#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

// Silent hops, a duplicate TTL, MPLS labels, rDNS on some hops, an unreached trace.
const char *kLines[] = {
    R"({"dst":"198.19.1.1","flow_id":7,"reached":true,"stop_reason":"reached","hops":[)"
    R"({"ttl":1,"addr":"198.18.0.1","rtt_ms":0.25,"icmp_type":11,"icmp_code":0,"reply_ttl":64,"quoted_ttl":1,"mpls_labels":[16],"rdns":"r1.example"},)"
    R"({"ttl":2,"addr":null,"rtt_ms":0,"icmp_type":-1,"icmp_code":-1,"reply_ttl":-1,"quoted_ttl":0,"mpls_labels":[]},)"
    R"({"ttl":3,"addr":"10.0.0.3","rtt_ms":4.5,"icmp_type":11,"icmp_code":0,"reply_ttl":255,"quoted_ttl":2,"mpls_labels":[]},)"
    R"({"ttl":3,"addr":"10.0.0.33","rtt_ms":4.0,"rdns":"dup.example"},)"
    R"({"ttl":4,"addr":"198.19.1.1","rtt_ms":9.75,"rdns":"host.example"}]})",
    R"({"dst":"198.19.1.2","flow_id":8,"reached":false,"hops":[{"ttl":1,"addr":"198.18.0.1","rtt_ms":0.5,"rdns":"other.example"},)"
    R"({"ttl":3,"addr":"10.0.0.3","rtt_ms":3.5}]})",
    R"({"dst":"198.19.2.9","hops":[{"ttl":2,"addr":"","rtt_ms":1},{"ttl":5,"addr":"100.64.0.1","rtt_ms":2}]})",
};

std::string write_file(const std::string &text)
{
    auto p = std::filesystem::temp_directory_path() / ("pathmap_fast_ingest_" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream(p) << text;
    return p.string();
}

void expect_same_graph(const TopologyBuilder &a, const TopologyBuilder &b)
{
    const TopologyGraph &ga = a.graph(), &gb = b.graph();
    ASSERT_EQ(ga.vertex_count(), gb.vertex_count());
    ASSERT_EQ(ga.edge_count(), gb.edge_count());
    for (VertexId v = 0; v < ga.vertex_count(); ++v) {
        const VertexInfo &x = ga.vertex(v), &y = gb.vertex(v);
        EXPECT_EQ(x.kind, y.kind);
        EXPECT_EQ(x.addr, y.addr);
        EXPECT_EQ(x.label, y.label);
        EXPECT_EQ(x.rdns, y.rdns) << x.label;
        EXPECT_EQ(x.times_seen, y.times_seen);
        EXPECT_DOUBLE_EQ(x.rtt_sum_ms, y.rtt_sum_ms);
        EXPECT_EQ(x.min_ttl, y.min_ttl);
        EXPECT_EQ(x.max_ttl, y.max_ttl);
    }
    std::vector<EdgeRef> ea, eb;
    ga.for_each_edge([&](const EdgeRef &e) { ea.push_back(e); });
    gb.for_each_edge([&](const EdgeRef &e) { eb.push_back(e); });
    for (size_t i = 0; i < ea.size(); ++i) {
        EXPECT_EQ(ea[i].src, eb[i].src);
        EXPECT_EQ(ea[i].dst, eb[i].dst);
        EXPECT_EQ(ea[i].info->times_seen, eb[i].info->times_seen);
        EXPECT_EQ(ea[i].info->min_rtt_delta_ms, eb[i].info->min_rtt_delta_ms);
    }
    ASSERT_EQ(a.hops().size(), b.hops().size());
    for (size_t i = 0; i < a.hops().size(); ++i) {
        EXPECT_EQ(a.hops()[i].vertex, b.hops()[i].vertex);
        EXPECT_EQ(a.hops()[i].reply_ttl, b.hops()[i].reply_ttl);
        EXPECT_EQ(a.hops()[i].quoted_ttl, b.hops()[i].quoted_ttl);
        EXPECT_EQ(a.hops()[i].flags, b.hops()[i].flags);
    }
    ASSERT_EQ(a.paths().size(), b.paths().size());
    for (size_t i = 0; i < a.paths().size(); ++i) EXPECT_EQ(a.paths()[i].reached, b.paths()[i].reached);
}

TEST(FastIngest, RepliesPathBuildsTheSameGraphAsTraces)
{
    std::string text;
    TopologyBuilder via_traces;
    for (const char *l : kLines) {
        text += l;
        text += '\n';
        TraceLineReplies r;
        ASSERT_TRUE(parse_trace_line_replies(l, r)) << l;
        Trace t;
        ASSERT_TRUE(parse_trace_line_fast(l, t));
        via_traces.add(t);
    }
    std::string file = write_file(text);
    TopologyBuilder streamed;
    EXPECT_EQ(ingest_traces_file(file, InputFormat::pathmap, streamed), 3u);
    std::filesystem::remove(file);
    streamed.finish();
    via_traces.finish();
    expect_same_graph(streamed, via_traces);
    // The names landed where add(const Trace &) puts them: first name wins; a
    // duplicate TTL's reply is dropped with its name (dup.example names
    // 10.0.0.33, not the 10.0.0.3 kept for that TTL).
    const TopologyGraph &g = streamed.graph();
    EXPECT_EQ(g.vertex(*g.find_interface(*parse_ipv4("198.18.0.1"))).rdns, "r1.example");
    EXPECT_TRUE(g.vertex(*g.find_interface(*parse_ipv4("10.0.0.3"))).rdns.empty());
    EXPECT_FALSE(g.find_interface(*parse_ipv4("10.0.0.33")).has_value());
}

// Lines the fast path leaves to the slow one: a hop known by name only
// (traces.jsonl of an mtr or tracepath file read without -n) and a trace
// whose file named no destination. Read from a file, they give the named
// vertex and the hops, and no prefix.
TEST(FastIngest, NamedHopsAndUnknownDestinationTakeTheSlowPath)
{
    const char *named = R"({"dst":"","flow_id":0,"reached":false,"stop_reason":"","hops":[)"
                        R"({"ttl":1,"rtt_ms":4.063,"rdns":"dsldevice.attlocal.net"},{"ttl":2},)"
                        R"({"ttl":3,"addr":"71.148.149.0","rtt_ms":12.5}]})";
    TraceLineReplies r;
    EXPECT_FALSE(parse_trace_line_replies(named, r));
    std::string file = write_file(std::string(named) + "\n");
    TopologyBuilder b;
    EXPECT_EQ(ingest_traces_file(file, InputFormat::pathmap, b), 1u);
    std::filesystem::remove(file);
    b.finish();
    const TopologyGraph &g = b.graph();
    VertexId by_name = kNoVertex;
    size_t prefixes = 0;
    for (VertexId v = 0; v < g.vertex_count(); ++v) {
        if (g.vertex(v).kind == VertexKind::interface && g.vertex(v).label == "dsldevice.attlocal.net") by_name = v;
        prefixes += g.vertex(v).kind == VertexKind::prefix;
    }
    ASSERT_NE(by_name, kNoVertex);
    EXPECT_EQ(g.vertex(by_name).addr, 0u);
    EXPECT_NE(g.find_edge(b.vantage(), by_name, EdgeKind::link), nullptr);
    EXPECT_TRUE(g.find_interface(*parse_ipv4("71.148.149.0")).has_value());
    EXPECT_EQ(prefixes, 0u);
    ASSERT_EQ(b.paths().size(), 1u);
    EXPECT_FALSE(b.paths()[0].reached);
}

TEST(FastIngest, BadAddressIsReportedWithItsLine)
{
    TraceLineReplies r;
    const char *bad = R"({"dst":"198.19.1.1","hops":[{"ttl":1,"addr":"198.18.0.300","rtt_ms":1}]})";
    EXPECT_FALSE(parse_trace_line_replies(bad, r));
    std::string file = write_file(std::string(kLines[1]) + "\n" + bad + "\n");
    TopologyBuilder b;
    try {
        ingest_traces_file(file, InputFormat::pathmap, b);
        FAIL() << "no error for a bad hop address";
    } catch (const InputError &e) {
        std::string what = e.what();
        EXPECT_NE(what.find("line 2"), std::string::npos) << what;
        EXPECT_NE(what.find("198.18.0.300"), std::string::npos) << what;
    }
    std::filesystem::remove(file);
    EXPECT_FALSE(parse_trace_line_replies(R"({"dst":"host.example","hops":[]})", r));
}

// A router's Destination Unreachable quotes the TTL the probe had left (5
// here); only a Time Exceeded quote above 1 is tunnel evidence. Both ingest
// paths keep the first and drop the second (the demo's first-hop router was
// once called an MPLS backbone from its unreachables).
TEST(FastIngest, QuotedTtlKeptOnlyForTimeExceeded)
{
    const char *line =
        R"({"dst":"198.19.240.1","hops":[{"ttl":1,"addr":"198.18.0.1","rtt_ms":0.2,"icmp_type":11,"quoted_ttl":2},)"
        R"({"ttl":6,"addr":"198.18.1.1","rtt_ms":0.9,"quoted_ttl":5,"icmp_type":3},)"
        R"({"ttl":7,"addr":"198.18.1.5","rtt_ms":1.1,"quoted_ttl":4}]})";
    TraceLineReplies r;
    ASSERT_TRUE(parse_trace_line_replies(line, r));
    ASSERT_EQ(r.replies.size(), 3u);
    EXPECT_EQ(r.replies[0].quoted_ttl, 2);
    EXPECT_EQ(r.replies[1].quoted_ttl, 0);
    EXPECT_EQ(r.replies[2].quoted_ttl, 4); // type unknown: kept
    Trace t;
    ASSERT_TRUE(parse_trace_line_fast(line, t));
    TopologyBuilder via_trace;
    via_trace.add(t);
    ASSERT_EQ(via_trace.hops().size(), 3u); // TTLs 2-5 were not probed: no vertices for them
    EXPECT_EQ(via_trace.hops()[0].quoted_ttl, 2);
    EXPECT_EQ(via_trace.hops()[1].quoted_ttl, 0);
    EXPECT_EQ(via_trace.hops()[1].ttl, 6); // not the trace's last answer: stays at its probe TTL
    EXPECT_EQ(via_trace.hops()[2].quoted_ttl, 4);
}

TEST(FastIngest, AdjacencyFollowsLaterEdgesAndKeepsInsertionOrder)
{
    TopologyGraph g;
    VertexId a = g.interface_vertex(1), b = g.interface_vertex(2), c = g.interface_vertex(3);
    g.edge(c, b, EdgeKind::link);
    g.edge(a, b, EdgeKind::link);
    EXPECT_EQ(g.degree(b), 2u);
    // Changes after a query are seen by the next one.
    VertexId d = g.interface_vertex(4);
    g.edge(b, d, EdgeKind::link);
    g.edge(d, b, EdgeKind::member_of);
    EXPECT_EQ(g.degree(b), 4u);
    EXPECT_EQ(g.degree(d), 2u);
    auto in = g.in_edges(b);
    ASSERT_EQ(in.size(), 3u);
    EXPECT_EQ(in[0].src, c); // insertion order, not source order
    EXPECT_EQ(in[1].src, a);
    EXPECT_EQ(in[2].src, d);
    EXPECT_EQ(in[2].info->kind, EdgeKind::member_of);
    auto out = g.out_edges(b);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].dst, d);
    EXPECT_EQ(g.find_edge(a, b, EdgeKind::link), in[1].info);
    EXPECT_EQ(g.find_edge(b, a, EdgeKind::link), nullptr);
    EXPECT_THROW(g.out_edges(99), std::out_of_range);
}

TEST(FastIngest, IndexesSurviveGrowth)
{
    TopologyGraph g;
    std::vector<VertexId> v;
    for (uint32_t i = 0; i < 5000; ++i) v.push_back(g.interface_vertex(0x0a000000u + i * 7919u));
    for (uint32_t i = 0; i + 1 < v.size(); ++i) ++g.edge(v[i], v[i + 1], EdgeKind::link).times_seen;
    for (uint32_t i = 0; i < 5000; ++i) EXPECT_EQ(g.interface_vertex(0x0a000000u + i * 7919u), v[i]);
    for (uint32_t i = 0; i + 1 < v.size(); ++i) {
        const EdgeInfo *e = g.find_edge(v[i], v[i + 1], EdgeKind::link);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->times_seen, 1u);
    }
    EXPECT_EQ(g.vertex_count(), 5000u);
    EXPECT_EQ(g.edge_count(), 4999u);
}

TEST(FastIngest, SharedTextPoolsEqualTexts)
{
    SharedText a = std::string("transit"), b = "transit", empty;
    EXPECT_EQ(a, b);
    EXPECT_EQ(&a.str(), &b.str());
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.str(), "");
    SharedText c = std::string_view("");
    EXPECT_TRUE(c.empty());
    std::optional<std::string> copy;
    copy = a;
    EXPECT_EQ(copy.value_or(""), "transit");
}

} // namespace
