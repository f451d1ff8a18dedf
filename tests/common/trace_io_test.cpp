#include "pathmap/trace_io.h"

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace pathmap;

TEST(TraceIo, RoundTripKeepsEveryField)
{
    Trace t{.dst = "198.19.3.7", .flow_id = 3, .reached = true, .stop_reason = "reached"};
    t.hops.push_back(Hop{.ttl = 1, .addr = "10.0.0.1", .rtt_ms = 0.25, .icmp_type = 11, .icmp_code = 0,
                         .reply_ttl = 64, .quoted_ttl = 1, .mpls_labels = {16005, 24001}});
    t.hops.push_back(Hop{.ttl = 2}); // silent hop
    t.hops.push_back(Hop{.ttl = 3, .addr = "198.19.3.7", .rtt_ms = 1.5, .icmp_type = 0, .icmp_code = 0, .reply_ttl = 62});
    std::stringstream ss;
    write_trace_line(ss, t);
    write_trace_line(ss, t);
    auto back = read_traces_jsonl(ss);
    ASSERT_EQ(back.size(), 2u);
    const Trace &b = back[0];
    EXPECT_EQ(b.dst, t.dst);
    EXPECT_EQ(b.flow_id, 3);
    EXPECT_TRUE(b.reached);
    EXPECT_EQ(b.stop_reason, "reached");
    ASSERT_EQ(b.hops.size(), 3u);
    EXPECT_EQ(b.hops[0].mpls_labels, (std::vector<uint32_t>{16005, 24001}));
    EXPECT_EQ(b.hops[0].quoted_ttl, 1);
    EXPECT_TRUE(b.hops[1].addr.empty());
    EXPECT_DOUBLE_EQ(b.hops[2].rtt_ms, 1.5);
    EXPECT_EQ(b.hops[2].reply_ttl, 62);
}

TEST(TraceIo, OwnerFieldsRoundTrip)
{
    Trace t{.dst = "193.0.14.129", .first_ttl = 3};
    Hop h{.ttl = 3, .addr = "4.69.144.80", .rtt_ms = 1.0};
    h.asn = 3356;
    h.as_name = "LEVEL3";
    h.country = "US";
    t.hops.push_back(h);
    std::stringstream ss;
    write_trace_line(ss, t);
    auto back = read_traces_jsonl(ss);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].first_ttl, 3);
    EXPECT_EQ(back[0].hops[0].asn, 3356);
    EXPECT_EQ(back[0].hops[0].as_name.value_or(""), "LEVEL3");
    EXPECT_EQ(back[0].hops[0].country.value_or(""), "US");
}

TEST(TraceIo, SilentHopIsWrittenAsNull)
{
    Trace t{.dst = "198.19.0.1"};
    t.hops.push_back(Hop{.ttl = 4});
    const auto j = to_json(t);
    EXPECT_FALSE(j.at("hops").at(0).contains("addr")); // probed, silent: only the TTL
    EXPECT_EQ(j.at("hops").at(0).at("ttl"), 4);
}

// A hop answered by a name whose address the file never printed, and a trace
// whose file named no destination, come back as they went out.
TEST(TraceIo, NamedHopAndUnknownDestinationRoundTrip)
{
    Trace t{.dst = ""};
    t.hops.push_back(Hop{.ttl = 1, .rtt_ms = 4.5, .rdns = std::string("dsldevice.attlocal.net")});
    t.hops.push_back(Hop{.ttl = 2});
    const auto j = to_json(t);
    EXPECT_FALSE(j.at("hops").at(0).contains("addr"));
    EXPECT_EQ(j.at("hops").at(0).at("rdns"), "dsldevice.attlocal.net");
    const Trace back = trace_from_json(j);
    EXPECT_EQ(back.dst, "");
    ASSERT_EQ(back.hops.size(), 2u);
    EXPECT_EQ(back.hops[0].addr, "");
    EXPECT_EQ(back.hops[0].rdns.value_or(""), "dsldevice.attlocal.net");
    EXPECT_DOUBLE_EQ(back.hops[0].rtt_ms, 4.5);
    EXPECT_FALSE(back.hops[1].rdns.has_value());
}

// An answer without a measured RTT (an Atlas late reply) is "rtt_ms": null,
// not 0 ms.
TEST(TraceIo, UnmeasuredRttIsNullNotZero)
{
    Trace t{.dst = "198.19.0.1"};
    t.hops.push_back(Hop{.ttl = 3, .addr = "198.18.0.1", .rtt_known = false});
    t.hops.push_back(Hop{.ttl = 4, .addr = "198.19.0.1", .rtt_ms = 0.0});
    const auto j = to_json(t);
    EXPECT_TRUE(j.at("hops").at(0).at("rtt_ms").is_null());
    EXPECT_EQ(j.at("hops").at(1).at("rtt_ms"), 0.0);
    const Trace back = trace_from_json(j);
    EXPECT_FALSE(back.hops[0].rtt_known);
    EXPECT_TRUE(back.hops[1].rtt_known);
}

TEST(TraceIo, MalformedLineNamesItsNumber)
{
    std::stringstream ss("{\"dst\":\"1.2.3.4\",\"hops\":[]}\n\n{\"dst\": 5}\n");
    try {
        read_traces_jsonl(ss);
        FAIL() << "expected a parse error";
    } catch (const TraceParseError &e) {
        EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
    }
}

TEST(TraceIo, TtlOutOfRangeIsRejected)
{
    std::stringstream ss("{\"dst\":\"1.2.3.4\",\"hops\":[{\"ttl\":300}]}\n");
    EXPECT_THROW(read_traces_jsonl(ss), TraceParseError);
}
