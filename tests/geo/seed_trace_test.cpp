// The seed trace of issue #5 (tests/data/graph/seed_mobile_trace.json): a
// Verizon Wireless phone in the US to an Alibaba Cloud address in Singapore.
// Hops 1-12 are Verizon (myvzw.com, no PoP names) or private; hop 13 is
// PCCW's Singapore router (sin03) after a +172 ms jump. Without a vantage
// point every hop used to be carried to Singapore; the decode must split.
#include <gtest/gtest.h>

#include "geo_test_support.h"
#include "graph/geo/hostname_hints.h"
#include "graph/geo/path_geolocator.h"
#include "pathmap/trace_io.h"

namespace pathmap::geo
{
namespace
{

TEST(GeoSeedTrace, SplitsUsFromSingaporeAtHop13)
{
    const std::vector<Trace> traces =
        read_traces_jsonl_file(std::string(PATHMAP_TEST_DATA) + "/graph/seed_mobile_trace.json");
    ASSERT_EQ(traces.size(), 1u);
    const PathGeolocator loc({.gazetteer = &test::gazetteer()});
    const GeoResult r = loc.locate(traces[0]);
    ASSERT_EQ(r.hops.size(), traces[0].hops.size());
    size_t us = 0, sg = 0;
    for (const LocatedHop &h : r.hops) {
        if (!h.loc) continue; // no evidence and far in RTT from any that has some
        if (h.hop <= 12) {
            EXPECT_EQ(h.loc->country, "US") << "hop " << h.hop << " placed in " << h.loc->city;
            us += h.loc->country == "US";
        } else {
            EXPECT_EQ(h.loc->country, "SG") << "hop " << h.hop << " placed in " << h.loc->city;
            sg += h.loc->country == "SG";
        }
    }
    // The Verizon hops with names (1, 5, 6, 7, 9, 10) and hop 12 next to them;
    // the two sin0x routers and the destination next to them.
    EXPECT_GE(us, 7u);
    EXPECT_EQ(sg, 3u);
}

TEST(GeoSeedTrace, OperatorDomainGivesOnlyACountry)
{
    EXPECT_EQ(operator_domain_country("185.sub-69-83-101.myvzw.com"), "US");
    EXPECT_EQ(operator_domain_country("XCI55AX.MyNetworkSettings.com."), "US");
    EXPECT_EQ(operator_domain_country("p5b0c1d2e.dip0.t-ipconnect.de"), "DE");
    // Suffix match on whole labels only, and not for transit operators.
    EXPECT_EQ(operator_domain_country("notmyvzw.com"), "");
    EXPECT_EQ(operator_domain_country("BE40.br05.sin03.as3491.net"), "");
}

TEST(GeoSeedTrace, EvidenceLessHopIsNotCarriedAcrossAnRttJump)
{
    GeoTrace t;
    t.hops.push_back({.hop = 1, .addr = "10.0.0.1", .rtt_ms = 20.0, .rdns = std::nullopt, .evidence = {}});
    t.hops.push_back({.hop = 2,
                      .addr = "198.18.0.1",
                      .rtt_ms = 190.0,
                      .rdns = "ae-1.cr1.sin03.example.net",
                      .evidence = {}});
    t.hops.push_back({.hop = 3, .addr = "10.0.0.2", .rtt_ms = 191.0, .rdns = std::nullopt, .evidence = {}});
    const GeoResult r = PathGeolocator({.gazetteer = &test::gazetteer()}).locate(t);
    ASSERT_EQ(r.hops.size(), 3u);
    EXPECT_FALSE(r.hops[0].loc.has_value()); // 170 ms before the only evidence
    ASSERT_TRUE(r.hops[1].loc.has_value());
    EXPECT_EQ(r.hops[1].loc->country, "SG");
    ASSERT_TRUE(r.hops[2].loc.has_value()); // 1 ms after it: carried
    EXPECT_EQ(r.hops[2].loc->country, "SG");
}

} // namespace
} // namespace pathmap::geo
