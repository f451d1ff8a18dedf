// The registry country as evidence: a candidate outside the country the
// address's network is registered in is penalised, not excluded; a hop whose
// own places all lie elsewhere gets the country's hubs; reserved addresses
// have no registry country; annotated lines carry it as "country".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "graph/geo/geo_json.h"
#include "graph/geo/path_geolocator.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

Location city(const char *name, const char *cc)
{
    const City *c = test::gazetteer().find(name, cc);
    EXPECT_NE(c, nullptr) << name;
    return c ? c->loc : Location{};
}

GeoTrace one_hop(const char *addr, HopEvidence ev)
{
    GeoTrace t;
    t.dst_reached = false; // no destination anchor
    t.hops = {{.hop = 5, .addr = addr, .rtt_ms = 12.0, .rdns = {}, .evidence = std::move(ev)}};
    return t;
}

bool has_source(const LocatedHop &h, const std::string &country, Source s)
{
    for (const Candidate &c : h.candidates)
        if (c.loc.country == country)
            for (Source x : c.sources)
                if (x == s) return true;
    return false;
}

const PathGeolocator &locator()
{
    static const PathGeolocator l({.gazetteer = &test::gazetteer()});
    return l;
}

TEST(RegistryCountry, AloneItPlacesTheHopInItsCountry)
{
    const GeoResult r = locator().locate(one_hop("192.0.1.1", {.registry_country = "DE"}));
    ASSERT_TRUE(r.hops[0].loc);
    EXPECT_EQ(r.hops[0].loc->country, "DE");
    EXPECT_EQ(r.hops[0].loc->city, "Frankfurt am Main"); // Germany's one interconnection hub
    EXPECT_TRUE(has_source(r.hops[0], "DE", Source::registry));
    ASSERT_NE(r.hops[0].chosen(), nullptr);
    EXPECT_TRUE(r.hops[0].chosen()->country_level); // the city stands for Germany
    // Without it the same hop has nothing to go on.
    const GeoResult bare = locator().locate(one_hop("192.0.1.1", {}));
    EXPECT_FALSE(bare.hops[0].loc);
    EXPECT_STREQ(bare.hops[0].unplaced, "no_evidence");
}

TEST(RegistryCountry, CountryWithoutHubFallsBackToItsLargestCity)
{
    const GeoResult r = locator().locate(one_hop("192.0.1.1", {.registry_country = "CH"}));
    ASSERT_TRUE(r.hops[0].loc);
    EXPECT_EQ(r.hops[0].loc->country, "CH");
    EXPECT_EQ(r.hops[0].loc->city, "Zurich");
}

TEST(RegistryCountry, TipsAWeakAnswerFromAnotherCountry)
{
    // A GeoDB answer alone (weight 0 + own support) against the registry:
    // the registry's country wins; without the registry the GeoDB city does.
    HopEvidence ev{.geodb = city("Paris", "FR")};
    const GeoResult plain = locator().locate(one_hop("192.0.1.1", ev));
    ASSERT_TRUE(plain.hops[0].loc);
    EXPECT_EQ(plain.hops[0].loc->city, "Paris");
    ev.registry_country = "DE";
    const GeoResult r = locator().locate(one_hop("192.0.1.1", ev));
    ASSERT_TRUE(r.hops[0].loc);
    EXPECT_EQ(r.hops[0].loc->country, "DE");
    // Paris stays a candidate: penalised, not excluded.
    EXPECT_TRUE(has_source(r.hops[0], "FR", Source::geodb));
    EXPECT_LT(r.hops[0].posterior, plain.hops[0].posterior + 1e-9);
}

TEST(RegistryCountry, StrongEvidenceElsewhereStillWins)
{
    // Multinational networks register at home: an IXP LAN in Amsterdam
    // whose block a US registry entry covers is still in Amsterdam.
    const GeoResult r =
        locator().locate(one_hop("192.0.1.1", {.ixp = city("Amsterdam", "NL"), .registry_country = "US"}));
    ASSERT_TRUE(r.hops[0].loc);
    EXPECT_EQ(r.hops[0].loc->city, "Amsterdam");
    EXPECT_TRUE(has_source(r.hops[0], "US", Source::registry)); // the US is still weighed
}

TEST(RegistryCountry, InCountryEvidenceAddsNoHubs)
{
    const GeoResult r =
        locator().locate(one_hop("192.0.1.1", {.geodb = city("Hamburg", "DE"), .registry_country = "DE"}));
    ASSERT_TRUE(r.hops[0].loc);
    EXPECT_EQ(r.hops[0].loc->city, "Hamburg");
    EXPECT_FALSE(has_source(r.hops[0], "DE", Source::registry));
    EXPECT_FALSE(r.hops[0].chosen()->country_level);
}

TEST(RegistryCountry, ReservedAddressesHaveNone)
{
    const GeoResult r = locator().locate(one_hop("10.1.2.3", {.registry_country = "DE"}));
    EXPECT_FALSE(r.hops[0].loc);
}

TEST(RegistryCountry, AnnotatedLinesCarryItAsCountry)
{
    const nlohmann::json j = nlohmann::json::parse(
        R"({"hops": [{"hop": 1, "addr": "192.0.1.1", "rtt_ms": 3.0, "country": "de"}, {"hop": 2, "addr": "192.0.1.2"}]})");
    const GeoTrace t = annotated_trace_from_json(j);
    ASSERT_EQ(t.hops.size(), 2u);
    EXPECT_EQ(t.hops[0].evidence.registry_country, "DE");
    EXPECT_FALSE(t.hops[1].evidence.registry_country);
    for (const char *bad : {R"("Germany")", "7", R"("D1")"}) {
        const auto b = nlohmann::json::parse(std::string(R"({"hops": [{"hop": 1, "country": )") + bad + "}]}");
        EXPECT_THROW(annotated_trace_from_json(b), GeoInputError) << bad;
    }
}

TEST(RegistryCountry, TraceHopsCarryTheirCountry)
{
    Trace t;
    t.dst = "192.0.1.9";
    t.hops.push_back(Hop{.ttl = 1, .addr = "192.0.1.1", .rtt_ms = 1.0, .country = std::string("SE")});
    const GeoTrace g = geo_trace_from(t);
    EXPECT_EQ(g.hops[0].evidence.registry_country, "SE");
}

} // namespace
} // namespace pathmap::geo

namespace pathmap::geo
{
namespace
{

// Why a hop stays unplaced, beyond silence and missing evidence: no RTT (an
// Atlas late reply), or a place the light cannot reach from the vantage.
TEST(UnplacedReasons, NoRttAndInfeasibleAreTheirOwnReasons)
{
    GeoTrace t;
    t.dst_reached = false;
    const Location tokyo = city("Tokyo", "JP");
    t.hops = {{.hop = 3, .addr = "192.0.1.1", .rtt_ms = 0.0, .rdns = {}, .evidence = {.geodb = tokyo}, .has_rtt = false},
              {.hop = 4, .addr = "192.0.1.2", .rtt_ms = 40.0, .rdns = {}, .evidence = {.geodb = tokyo}}};
    // No gazetteer: no interconnection hubs to fall back on, only the GeoDB's Tokyo.
    PathGeolocator far({.vantage = city("Amsterdam", "NL")});
    const GeoResult r = far.locate(t);
    ASSERT_EQ(r.hops.size(), 2u);
    EXPECT_FALSE(r.hops[0].loc);
    EXPECT_STREQ(r.hops[0].unplaced, "no_rtt");
    // Tokyo is ~94 ms of fibre round trip from Amsterdam: not at 40 ms.
    EXPECT_FALSE(r.hops[1].loc);
    EXPECT_STREQ(r.hops[1].unplaced, "infeasible");
    PlacementCounts c;
    c.add(r);
    EXPECT_EQ(c.no_rtt, 1u);
    EXPECT_EQ(c.infeasible, 1u);
    EXPECT_EQ(c.placed, 0u);
    // At 120 ms Tokyo is within reach: placed.
    t.hops[1].rtt_ms = 120.0;
    const GeoResult ok = far.locate(t);
    ASSERT_TRUE(ok.hops[1].loc);
    EXPECT_EQ(ok.hops[1].loc->city, "Tokyo");
}

} // namespace
} // namespace pathmap::geo
