// The transition terms, the PCS of feasible vs infeasible paths, carried
// bogon hops, revisit penalty, posteriors and flagged segments.
#include <cmath>

#include <gtest/gtest.h>

#include "graph/geo/path_geolocator.h"
#include "graph/geo/path_model.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

Location city(const char *name, const char *cc = "")
{
    const City *c = test::gazetteer().find(name, cc);
    EXPECT_NE(c, nullptr) << name;
    return c ? c->loc : Location{};
}

GeoHop hop(int n, const char *addr, double rtt, std::optional<Location> geodb = {},
           std::optional<Location> rdns = {})
{
    return {.hop = n,
            .addr = addr,
            .rtt_ms = rtt,
            .rdns = {},
            .evidence = {.rdns_hint = rdns, .ixp = {}, .geodb = geodb}};
}

const ModelParams kParams{};

TEST(GeoTransition, SpeedOfLightBoundAt197_86KmPerMs)
{
    // 1000 km needs 2 * 1000 / 197.86 = 10.108 ms round trip.
    const TransitionTerms t = transition(1000.0, false, 20.0, "DE", "FR", kParams, nullptr);
    EXPECT_NEAR(t.min_rtt_ms, 10.108, 0.001);
    EXPECT_FALSE(t.infeasible);
    // Slack above the bound stretched by free_stretch (0.7): 20 - 17.18 = 2.82 ms,
    // Pareto-II survival (1 + 2.82/20)^-2.5.
    EXPECT_NEAR(t.survival, std::pow(1.0 + (20.0 - 1.7 * 2000.0 / 197.86) / 20.0, -2.5), 1e-9);
    // Without the stretch the whole 9.89 ms counts (the PCS paper's form).
    ModelParams plain = kParams;
    plain.free_stretch = 0.0;
    const TransitionTerms u = transition(1000.0, false, 20.0, "DE", "FR", plain, nullptr);
    EXPECT_NEAR(u.survival, std::pow(1.0 + (20.0 - 2000.0 / 197.86) / 20.0, -2.5), 1e-9);
    // Within the free stretch there is no slack cost at all.
    EXPECT_DOUBLE_EQ(transition(1000.0, false, 15.0, "", "", kParams, nullptr).survival, 1.0);
}

TEST(GeoTransition, InfeasibleIncrementIsGatedHard)
{
    const TransitionTerms ok = transition(1000.0, false, 12.0, "", "", kParams, nullptr);
    const TransitionTerms bad = transition(1000.0, false, 3.0, "", "", kParams, nullptr);
    EXPECT_TRUE(bad.infeasible);
    EXPECT_FALSE(ok.infeasible);
    // Gate at increment 3 ms, bound 10.1 ms, jitter 2 ms: 8 * (5/10.1 - 1) = -4.04.
    EXPECT_LT(bad.log_score, ok.log_score - 3.5);
}

TEST(GeoTransition, SlackCostsAndColocationPays)
{
    const double small = transition(0.0, true, 1.0, "", "", kParams, nullptr).log_score;
    const double large = transition(0.0, true, 120.0, "", "", kParams, nullptr).log_score;
    const double moved = transition(300.0, false, 1.0, "", "", kParams, nullptr).log_score;
    // Co-location bonus 0.4 * exp(-1/7) = 0.347 minus 1 ms of slack, 2.5 * log1p(1/20) = 0.122.
    EXPECT_NEAR(small, 0.4 * std::exp(-1.0 / 7.0) - 2.5 * std::log1p(1.0 / 20.0), 1e-9);
    EXPECT_LT(large, -4.0); // 120 ms of unexplained delay in one city
    EXPECT_LT(moved, small);
}

TEST(GeoPcs, InfeasibleJumpScoresLowerThanItsFeasibleTwin)
{
    const Location frankfurt = city("Frankfurt am Main", "DE");
    const Location paris = city("Paris", "FR");
    const Location tokyo = city("Tokyo", "JP");
    GeoTrace feasible{.src_anchor = frankfurt, .dst_anchor = paris, .dst_reached = true, .hops = {}};
    feasible.hops = {hop(1, "192.0.2.1", 0.4, frankfurt), hop(2, "192.0.2.2", 1.1, frankfurt),
                     hop(3, "192.0.2.3", 9.8, paris, paris), hop(4, "192.0.2.4", 10.3, paris)};
    GeoTrace infeasible = feasible;
    // Same RTTs, but hop 3's evidence says Tokyo: 9,300 km in 8.7 ms is impossible.
    infeasible.hops[2] = hop(3, "192.0.2.3", 9.8, tokyo, tokyo);
    infeasible.hops[3] = hop(4, "192.0.2.4", 10.3, tokyo);
    infeasible.dst_anchor = tokyo;

    PathGeolocator locator({.gazetteer = &test::gazetteer()});
    const GeoResult a = locator.locate(feasible);
    const GeoResult b = locator.locate(infeasible);
    EXPECT_GT(a.pcs, b.pcs + 0.3) << "feasible " << a.pcs << " vs infeasible " << b.pcs;
    EXPECT_TRUE(a.flagged_segments.empty());
    EXPECT_EQ(a.hops[2].loc->city, "Paris");
    EXPECT_NEAR(a.distance_km, great_circle_km(frankfurt, paris), 1.0);
}

TEST(GeoPcs, DecodedInfeasibleSegmentIsFlagged)
{
    const Location sydney = city("Sydney", "AU");
    const Location london = city("London", "GB");
    // No alternative: every candidate is Sydney or London, and 2 ms cannot
    // cover 17,000 km, so the decode either lies or flags.
    GeoTrace t{.src_anchor = sydney, .dst_anchor = london, .dst_reached = true, .hops = {}};
    t.hops = {hop(1, "192.0.2.1", 0.5, sydney, sydney), hop(2, "192.0.2.2", 2.5, london, london)};
    PathGeolocator locator({.gazetteer = &test::gazetteer()});
    const GeoResult r = locator.locate(t);
    ASSERT_EQ(r.hops.size(), 2u);
    if (r.hops[1].loc->city == "London") {
        ASSERT_EQ(r.flagged_segments.size(), 1u);
        EXPECT_EQ(r.flagged_segments[0].reason, "infeasible");
        EXPECT_EQ(r.flagged_segments[0].from_hop, 1);
        EXPECT_EQ(r.flagged_segments[0].to_hop, 2);
    } else {
        EXPECT_LT(great_circle_km(*r.hops[1].loc, sydney), 200.0);
    }
    // With enough time for the distance, the evidence wins and nothing is flagged.
    t.hops[1].rtt_ms = 185.0;
    const GeoResult ok = locator.locate(t);
    EXPECT_TRUE(ok.flagged_segments.empty());
    EXPECT_EQ(ok.hops[1].loc->city, "London");
}

TEST(GeoCarry, BogonHopTakesItsNeighboursCity)
{
    const Location madrid = city("Madrid", "ES");
    const Location lisbon = city("Lisbon", "PT");
    GeoTrace t{.src_anchor = madrid, .dst_anchor = lisbon, .dst_reached = true, .hops = {}};
    t.hops = {hop(1, "192.0.2.1", 0.3, madrid), hop(2, "10.1.2.3", 0.8, city("Berlin", "DE")),
              hop(3, "192.0.2.3", 1.2, madrid, madrid), hop(4, "192.0.2.4", 6.9, lisbon)};
    PathGeolocator locator({.gazetteer = &test::gazetteer()});
    const GeoResult r = locator.locate(t);
    ASSERT_TRUE(r.hops[1].loc);
    EXPECT_EQ(r.hops[1].loc->city, "Madrid");
    // The GeoDB "answer" for a private address is ignored, not a candidate source.
    for (const Candidate &c : r.hops[1].candidates)
        for (Source s : c.sources)
            EXPECT_NE(s, Source::geodb) << c.loc.city;
}

TEST(GeoPosterior, IsAProbabilityAndFollowsEvidence)
{
    const Location ams = city("Amsterdam", "NL");
    const Location fra = city("Frankfurt am Main", "DE");
    GeoTrace weak{.src_anchor = ams, .dst_anchor = {}, .dst_reached = false, .hops = {}};
    weak.hops = {hop(1, "192.0.2.1", 0.2), hop(2, "192.0.2.2", 8.0, fra)};
    GeoTrace strong = weak;
    strong.hops[1] = hop(2, "192.0.2.2", 8.0, fra, fra);
    PathGeolocator locator({.gazetteer = &test::gazetteer()});
    const GeoResult w = locator.locate(weak), s = locator.locate(strong);
    for (const auto *r : {&w, &s})
        for (const LocatedHop &h : r->hops) {
            EXPECT_GT(h.posterior, 0.0);
            EXPECT_LE(h.posterior, 1.0 + 1e-9);
        }
    EXPECT_EQ(s.hops[1].loc->city, "Frankfurt am Main");
    EXPECT_GT(s.hops[1].posterior, 0.5);
    // Without hop 2's hostname, hop 1 (no evidence, 0.2 ms from Amsterdam)
    // stays in Amsterdam with near certainty.
    EXPECT_EQ(w.hops[0].loc->city, "Amsterdam");
    EXPECT_GT(w.hops[0].posterior, 0.9);
}

TEST(GeoRevisit, LeavingAndReturningCostsMoreThanStaying)
{
    // Candidates A, B at every hop; a flat path A A A must beat A B A when the
    // evidence is tied, because of the revisit penalty on top of the two moves.
    const Location a = city("Brussels", "BE"), b = city("Antwerpen", "BE");
    std::vector<HopStates> hops(3);
    for (size_t i = 0; i < 3; ++i) {
        hops[i].rtt_ms = 1.0 + static_cast<double>(i);
        hops[i].candidates = {{.loc = a, .sources = {Source::rdns}}, {.loc = b, .sources = {Source::rdns}}};
        hops[i].utility = {0.4, 0.4};
        hops[i].city_id = {0, 1};
        hops[i].unit = {unit_vector(a), unit_vector(b)};
    }
    hops[1].utility = {0.4, 1.2}; // the middle hop leans to B
    for (HopStates &h : hops)
        score_emissions(h, kParams);
    ModelParams no_revisit = kParams;
    no_revisit.revisit_penalty = 0;
    const Decoded with = decode(hops, std::nullopt, kParams, nullptr);
    const Decoded without = decode(hops, std::nullopt, no_revisit, nullptr);
    EXPECT_LE(with.log_likelihood, without.log_likelihood);
    // Either the path avoids the revisit or it pays for it.
    if (with.state == std::vector<int>{0, 1, 0}) {
        EXPECT_LT(with.log_likelihood, without.log_likelihood - 0.5);
    }
}

} // namespace
} // namespace pathmap::geo
