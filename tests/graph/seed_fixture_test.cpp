// The real mobile-network trace must get the roles, notes and
// distance usability it lists, from the default rules alone.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "graph/hop_classifier.h"
#include "graph/input_formats.h"
#include "graph/topology_annotator.h"

using namespace pathmap::graph;

namespace {

struct Seed : ::testing::Test {
    RuleSet rules = default_rules();
    TopologyBuilder builder;
    TraceProfile profile;
    std::map<int, const HopProfile *> by_ttl;

    void SetUp() override
    {
        auto traces = read_traces_file(std::string(PATHMAP_TEST_DATA) + "/graph/seed_mobile_trace.json");
        ASSERT_EQ(traces.size(), 1u);
        builder.add(traces[0]);
        builder.finish();
        HopClassifier c(builder, {.rules = &rules});
        Annotation a = annotate_topology(builder, c, rules);
        profile = c.classify(0);
        attach_clusters(profile, a);
        for (const HopProfile &h : profile.hops) by_ttl[h.index] = &h;
    }
    HopRole role(int ttl) { return by_ttl.at(ttl)->role; }
    bool has_note(const std::string &s)
    {
        return std::any_of(profile.notes.begin(), profile.notes.end(),
                           [&](const std::string &n) { return n.find(s) != std::string::npos; });
    }
};

TEST_F(Seed, EveryExpectedRole)
{
    EXPECT_EQ(role(1), HopRole::rf_link);
    for (int ttl : {2, 3, 4}) {
            EXPECT_EQ(role(ttl), HopRole::packet_core) << "hop " << ttl;
        }
    EXPECT_EQ(role(5), HopRole::cgnat);
    for (int ttl : {6, 7, 9, 10}) {
            EXPECT_EQ(role(ttl), HopRole::private_backbone) << "hop " << ttl;
        }
    EXPECT_EQ(role(12), HopRole::access_router);
    EXPECT_EQ(role(13), HopRole::international_transit);
    EXPECT_EQ(role(14), HopRole::transit);
    EXPECT_EQ(role(21), HopRole::destination);
    EXPECT_EQ(profile.total_hops, 21);
}

TEST_F(Seed, ProviderBackboneIsOneCluster)
{
    const std::string id = by_ttl.at(6)->cluster_id;
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(id.rfind("backbone-", 0), 0u) << id;
    for (int ttl : {7, 8, 9, 10}) {
            EXPECT_EQ(by_ttl.at(ttl)->cluster_id, id) << "hop " << ttl;
        }
    EXPECT_NE(by_ttl.at(5)->cluster_id, id);
    EXPECT_TRUE(by_ttl.at(12)->cluster_id.empty() || by_ttl.at(12)->cluster_id != id);
    EXPECT_EQ(by_ttl.at(6)->scope, Scope::provider);
}

TEST_F(Seed, UsableForDistanceAreExactlyTheFourPublicHops)
{
    std::vector<int> usable;
    for (const HopProfile &h : profile.hops)
        if (h.usable_for_distance) usable.push_back(h.index);
    EXPECT_EQ(usable, (std::vector<int>{12, 13, 14, 21}));
    EXPECT_EQ(profile.usable_distance_hops, 4);
    EXPECT_GT(profile.estimated_distance_km, 10000.0); // US to Singapore, from the +172 ms jump
    EXPECT_LT(profile.estimated_distance_km, 20000.0);
}

TEST_F(Seed, NotesTagsRegionsScopes)
{
    EXPECT_TRUE(has_note("international transit detected at hop 13 (US -> SG)"));
    EXPECT_TRUE(has_note("early private segment (hops 1-5) excluded from distance"));
    const auto &tags = by_ttl.at(2)->tags;
    EXPECT_NE(std::find(tags.begin(), tags.end(), "rtt_spike"), tags.end());
    EXPECT_NE(std::find(tags.begin(), tags.end(), "mimo_reassembly"), tags.end());
    const auto &t12 = by_ttl.at(12)->tags;
    EXPECT_NE(std::find(t12.begin(), t12.end(), "egress"), t12.end());
    EXPECT_EQ(by_ttl.at(12)->region, "US");
    EXPECT_EQ(by_ttl.at(13)->region, "SG");
    EXPECT_EQ(by_ttl.at(14)->region, "SG");
    EXPECT_EQ(by_ttl.at(1)->scope, Scope::local);
    EXPECT_EQ(by_ttl.at(2)->scope, Scope::private_);
    EXPECT_EQ(by_ttl.at(13)->scope, Scope::public_);
    EXPECT_EQ(by_ttl.at(13)->asn, 3491);
    for (const HopProfile &h : profile.hops) {
        EXPECT_GE(h.reliability, 0.0);
        EXPECT_LE(h.reliability, 1.0);
        if (!h.responded) {
            EXPECT_EQ(h.reliability, 0.0);
        }
    }
    // The spike hop is trusted less than its quiet neighbour with the same role.
    EXPECT_LT(by_ttl.at(2)->reliability, by_ttl.at(4)->reliability);
    EXPECT_NE(by_ttl.at(13)->evidence.find("region change"), std::string::npos);
}

} // namespace
