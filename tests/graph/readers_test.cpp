// Every input format, parsed from files real tools wrote on the testbed
// (scamper, mtr, traceroute), a hand-written RIPE Atlas result and small
// in-memory variants. The real-world corpus is realdata_corpus_test.cpp.
#include <gtest/gtest.h>

#include "graph/input_formats.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

std::string data(const char *f) { return std::string(PATHMAP_TEST_DATA) + "/graph/" + f; }

const Trace &find(const std::vector<Trace> &ts, const std::string &dst)
{
    for (const Trace &t : ts)
        if (t.dst == dst) return t;
    throw std::runtime_error("no trace to " + dst);
}

TEST(Readers, TracerouteTextFromTestbed)
{
    auto ts = read_traces_file(data("testbed_traceroute.txt"));
    ASSERT_EQ(ts.size(), 4u);
    const Trace &core = find(ts, "198.19.1.1");
    EXPECT_TRUE(core.reached);
    ASSERT_EQ(core.hops.size(), 12u); // TTL 9 (silent r9) is a star: a hop without an address
    EXPECT_EQ(core.first_ttl, 1);
    EXPECT_EQ(core.hops[0].addr, "198.18.0.1");
    EXPECT_DOUBLE_EQ(core.hops[0].rtt_ms, 0.078);
    EXPECT_EQ(core.hops[8].ttl, 9);
    EXPECT_TRUE(core.hops[8].addr.empty());
    EXPECT_EQ(core.hops[9].ttl, 10);
    EXPECT_EQ(core.hops.back().addr, "198.19.1.1");
    const Trace &cg = find(ts, "198.19.64.1");
    EXPECT_EQ(cg.hops[4].addr, "100.64.0.2");
    const Trace &unreach = find(ts, "198.19.240.1");
    EXPECT_FALSE(unreach.reached);
    EXPECT_EQ(unreach.stop_reason, "unreachable");
    EXPECT_EQ(unreach.hops.back().icmp_type, 3);
}

TEST(Readers, TracerouteWithNamesAndSeveralProbes)
{
    auto ts = parse_traceroute_text("traceroute to 198.19.1.1 (198.19.1.1), 30 hops max, 60 byte packets\n"
                                    " 1  gw.example (198.18.0.1)  0.5 ms  0.4 ms  0.3 ms\n"
                                    " 2  * r2.example (198.18.1.2)  1.5 ms r2b.example (198.18.1.3)  1.2 ms\n"
                                    " 3  * * *\n",
                                    "t");
    // Two routers answered at TTL 2: one trace per branch, flow ids 0 and 1.
    ASSERT_EQ(ts.size(), 2u);
    ASSERT_EQ(ts[0].hops.size(), 3u); // "3  * * *" is a probed, silent hop
    EXPECT_TRUE(ts[0].hops[2].addr.empty());
    EXPECT_EQ(ts[0].hops[0].rdns.value_or(""), "gw.example");
    EXPECT_EQ(ts[0].hops[1].addr, "198.18.1.2");
    EXPECT_DOUBLE_EQ(ts[0].hops[1].rtt_ms, 1.5);
    EXPECT_FALSE(ts[0].reached);
    EXPECT_EQ(ts[1].flow_id, 1);
    EXPECT_EQ(ts[1].hops[0].addr, "198.18.0.1");
    EXPECT_EQ(ts[1].hops[1].addr, "198.18.1.3");
    EXPECT_EQ(ts[1].hops[1].rdns.value_or(""), "r2b.example");
    EXPECT_DOUBLE_EQ(ts[1].hops[1].rtt_ms, 1.2);
}

TEST(Readers, ScamperJsonFromTestbed)
{
    auto ts = read_traces_file(data("testbed_scamper.json"));
    ASSERT_EQ(ts.size(), 4u);
    const Trace &cg = find(ts, "198.19.64.1");
    EXPECT_TRUE(cg.reached);
    EXPECT_EQ(cg.stop_reason, "reached");
    EXPECT_EQ(cg.hops.front().addr, "198.18.0.1");
    EXPECT_EQ(cg.hops.front().ttl, 1);
    EXPECT_GT(cg.hops.front().reply_ttl, 0);
    EXPECT_EQ(cg.hops.back().addr, "198.19.64.1");
    const Trace &core = find(ts, "198.19.1.1");
    // scamper lists replies only; it probed every TTL from firsthop, so the
    // silent r9 is a hop without an address.
    bool silent9 = false;
    for (const Hop &h : core.hops) {
        if (h.ttl == 9) silent9 = h.addr.empty();
    }
    EXPECT_TRUE(silent9);
    EXPECT_EQ(core.first_ttl, 1);
    const Trace &unreach = find(ts, "198.19.240.1");
    EXPECT_FALSE(unreach.reached);
}

TEST(Readers, MtrJsonFromTestbed)
{
    auto ts = read_traces_file(data("testbed_mtr.json"));
    ASSERT_EQ(ts.size(), 1u);
    EXPECT_EQ(ts[0].dst, "198.19.1.1");
    EXPECT_TRUE(ts[0].reached);
    EXPECT_EQ(ts[0].hops.front().addr, "198.18.0.1");
    EXPECT_DOUBLE_EQ(ts[0].hops.front().rtt_ms, 0.068); // Best
    // mtr's "???" hubs are probed, silent hops; the rest answered.
    size_t silent = 0;
    for (const Hop &h : ts[0].hops) silent += h.addr.empty();
    EXPECT_LT(silent, ts[0].hops.size());
}

TEST(Readers, AtlasHandWritten)
{
    auto ts = read_traces_file(data("atlas_traceroute.json"));
    ASSERT_EQ(ts.size(), 2u);
    const Trace &a = ts[0];
    EXPECT_EQ(a.dst, "198.19.3.1");
    EXPECT_EQ(a.flow_id, 3);
    EXPECT_TRUE(a.reached);
    // Hop 2's stars are a silent hop; hop 4 was never sent (sendto failed): no hop.
    ASSERT_EQ(a.hops.size(), 4u);
    EXPECT_DOUBLE_EQ(a.hops[0].rtt_ms, 0.412);
    EXPECT_EQ(a.hops[1].ttl, 2);
    EXPECT_TRUE(a.hops[1].addr.empty());
    EXPECT_EQ(a.hops[2].ttl, 3);
    EXPECT_EQ(a.hops[2].mpls_labels, std::vector<uint32_t>{24012});
    EXPECT_EQ(a.hops[2].quoted_ttl, 2);
    EXPECT_EQ(a.hops[3].ttl, 5);
    EXPECT_EQ(ts[1].hops.back().icmp_type, 3);
    EXPECT_FALSE(ts[1].reached);
}

TEST(Readers, PathmapFastAndSlowPathsAgree)
{
    std::string line = R"({"dst":"198.19.1.1","flow_id":7,"reached":true,"stop_reason":"reached","hops":[)"
                       R"({"ttl":1,"addr":"198.18.0.1","rtt_ms":0.25,"icmp_type":11,"icmp_code":0,"reply_ttl":64,)"
                       R"("quoted_ttl":1,"mpls_labels":[16,17],"rdns":"r1.example","asn":3356,"as_name":"LEVEL3","country":"US"},)"
                       R"({"ttl":2,"addr":null,"rtt_ms":0,"icmp_type":-1,"icmp_code":-1,"reply_ttl":0,"quoted_ttl":0,"mpls_labels":[]}]})";
    Trace fast;
    ASSERT_TRUE(parse_trace_line_fast(line, fast));
    auto slow = parse_pathmap_jsonl(line + "\n", "x");
    ASSERT_EQ(slow.size(), 1u);
    EXPECT_EQ(fast.dst, "198.19.1.1");
    EXPECT_EQ(fast.flow_id, 7);
    ASSERT_EQ(fast.hops.size(), 2u);
    EXPECT_EQ(fast.hops[0].mpls_labels, (std::vector<uint32_t>{16, 17}));
    EXPECT_EQ(fast.hops[0].rdns.value_or(""), "r1.example");
    EXPECT_EQ(fast.hops[0].reply_ttl, 64);
    EXPECT_TRUE(fast.hops[1].addr.empty());
    EXPECT_EQ(fast.hops[0].asn, 3356);
    EXPECT_EQ(fast.hops[0].as_name, slow[0].hops[0].as_name);
    EXPECT_EQ(fast.hops[0].country.value_or(""), "US");
    EXPECT_EQ(slow[0].hops[0].asn, 3356);
    // An escaped string or an unknown key sends the line to the full parser.
    Trace t;
    EXPECT_FALSE(parse_trace_line_fast(R"({"dst":"1.2.3.4","x":1,"hops":[]})", t));
    EXPECT_EQ(parse_pathmap_jsonl(R"({"dst":"1.2.3.4","x":1,"hops":[]})", "x").size(), 1u);
}

TEST(Readers, DetectionAndErrors)
{
    EXPECT_EQ(detect_input_format("traceroute to 1.2.3.4 (1.2.3.4)"), InputFormat::traceroute);
    EXPECT_EQ(detect_input_format(R"({"report": {"mtr": {}, "hubs": []}})"), InputFormat::mtr);
    EXPECT_EQ(detect_input_format(R"([{"dst_addr": "1.2.3.4", "result": []}])"), InputFormat::atlas);
    EXPECT_EQ(detect_input_format(R"({"type":"cycle-start"})"), InputFormat::scamper);
    EXPECT_EQ(detect_input_format(R"({"dst":"1.2.3.4","hops":[]})"), InputFormat::pathmap);
    EXPECT_THROW(detect_input_format("hello"), InputError);
    EXPECT_THROW(parse_pathmap_jsonl("{\"dst\": 5}\n", "f"), InputError);
    try {
        parse_traceroute_text("traceroute to 1.2.3.4 (1.2.3.4)\n x  1.2.3.4\n", "f.txt");
        FAIL();
    } catch (const InputError &e) {
        EXPECT_NE(std::string(e.what()).find("f.txt:2"), std::string::npos);
    }
    EXPECT_THROW(read_traces_file("/nonexistent"), InputError);
    EXPECT_FALSE(parse_input_format("csv").has_value());
}

TEST(Readers, TracerouteVariantsInOneFile)
{
    // A run without its header, then a Linux run with !H, MPLS and a BSD continuation line.
    auto ts = parse_traceroute_text(" 1  192.0.2.1  0.5 ms  0.4 ms\n"
                                    " 2  198.51.100.7  1.0 ms *\n"
                                    "traceroute to 203.0.113.9 (203.0.113.9), 30 hops max\n"
                                    " 1  192.0.2.1 <MPLS:L=16,E=0,S=1,T=1>  0.5 ms\n"
                                    " 2  r2 (198.51.100.1)  1.1 ms !H\n"
                                    "    r2b (198.51.100.2)  1.3 ms !<10>\n",
                                    "v.txt");
    ASSERT_EQ(ts.size(), 3u);
    EXPECT_EQ(ts[0].dst, "198.51.100.7"); // no header: the answered last hop
    EXPECT_TRUE(ts[0].reached);
    EXPECT_EQ(ts[1].dst, "203.0.113.9");
    EXPECT_EQ(ts[1].hops[0].mpls_labels, std::vector<uint32_t>{16});
    EXPECT_EQ(ts[1].hops[1].icmp_code, 1);
    EXPECT_EQ(ts[1].stop_reason, "unreachable");
    EXPECT_EQ(ts[2].hops[1].addr, "198.51.100.2");
    EXPECT_EQ(ts[2].hops[1].icmp_code, 10);
    // Lines that are no traceroute: one error naming file and line.
    try {
        parse_traceroute_text(" 1  0.5 ms 192.0.2.1\n", "bad.txt");
        FAIL();
    } catch (const InputError &e) {
        EXPECT_NE(std::string(e.what()).find("bad.txt:1: an RTT before any address"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_traceroute_text(" 1  192.0.2.1  0.5 ms\nhello\n", "bad.txt"), InputError);
    EXPECT_EQ(detect_input_format(" 1  192.0.2.1  0.5 ms\n"), InputFormat::traceroute);
    EXPECT_EQ(detect_input_format(" 1?: [LOCALHOST]   pmtu 1500\n"), InputFormat::traceroute);
}

TEST(Readers, AtlasSkipsWhatCannotBeGraphed)
{
    auto ts = parse_atlas_json(R"([{"type":"traceroute","dst_addr":"192.0.2.9","result":[{"hop":1,"result":[{"from":"192.0.2.1","rtt":1.0},{"from":"192.0.2.2","rtt":2.0}]}]},
                                   {"type":"traceroute","result":[{"error":"name resolution failed"}]},
                                   {"type":"traceroute","af":6,"dst_addr":"2001:db8::1","result":[]},
                                   {"type":"traceroute","dst_addr":"192.0.2.9","result":[{"hop":1,"result":[{"from":"192.0.2.1","late":2}]}]}])",
                               "a.json");
    ASSERT_EQ(ts.size(), 2u); // the first result, in two branches
    EXPECT_EQ(ts[0].hops[0].addr, "192.0.2.1");
    EXPECT_EQ(ts[1].hops[0].addr, "192.0.2.2");
}

TEST(Readers, ScamperTracelbDiamond)
{
    // 192.0.2.1 -> {192.0.2.2 (flow 1), 192.0.2.3 (flow 2)} -> 192.0.2.9 (through a silent TTL from .3)
    auto ts = parse_scamper_json(
        R"({"type":"tracelb","dst":"192.0.2.9","firsthop":1,"nodes":[)"
        R"({"addr":"192.0.2.1","links":[[{"addr":"192.0.2.2","probes":[{"ttl":2,"flowid":1,"replyc":1,"replies":[{"rtt":1.5}]}]},)"
        R"({"addr":"192.0.2.3","probes":[{"ttl":2,"flowid":2,"replyc":1,"replies":[{"rtt":1.6}]}]}]]},)"
        R"({"addr":"192.0.2.2","links":[[{"addr":"192.0.2.9","probes":[{"ttl":3,"flowid":1,"replyc":1}]}]]},)"
        R"({"addr":"192.0.2.3","links":[[{"addr":"*"}],[{"addr":"192.0.2.9","probes":[{"ttl":4,"flowid":2,"replyc":1}]}]]}]})",
        "lb.json");
    ASSERT_EQ(ts.size(), 2u);
    EXPECT_EQ(ts[0].flow_id, 1);
    EXPECT_EQ(ts[0].hops.at(1).addr, "192.0.2.2");
    EXPECT_DOUBLE_EQ(ts[0].hops.at(1).rtt_ms, 1.5);
    EXPECT_EQ(ts[1].flow_id, 2);
    EXPECT_EQ(ts[1].hops.at(1).addr, "192.0.2.3");
    for (const Trace &t : ts) EXPECT_TRUE(t.reached);
}

} // namespace
