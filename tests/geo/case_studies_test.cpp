// The paper's two case studies decode to their validated locations.
#include <gtest/gtest.h>

#include "graph/geo_input.h"
#include "graph/geo/geo_json.h"
#include "graph/geo/path_geolocator.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

struct Validated {
    int hop;
    double lat, lon;
    const char *name;
};

constexpr Validated kZurich{0, 47.3769, 8.5417, "Zurich"};
constexpr Validated kSingapore{0, 1.2897, 103.8501, "Singapore"};
constexpr Validated kSerang{0, -6.1149, 106.1502, "Serang"};
constexpr Validated kAuckland{0, -36.8485, 174.7633, "Auckland"};
constexpr Validated kNuremberg{0, 49.4521, 11.0767, "Nuremberg"};

GeoResult decode_fixture(const std::string &file)
{
    auto traces = graph::read_geo_traces(test::data(file));
    EXPECT_EQ(traces.size(), 1u);
    PathGeolocator locator({.gazetteer = &test::gazetteer()});
    return locator.locate(traces.at(0));
}

void expect_hops(const GeoResult &r, std::vector<std::pair<int, Validated>> want)
{
    ASSERT_EQ(r.hops.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        const LocatedHop &h = r.hops[i];
        EXPECT_EQ(h.hop, want[i].first) << "hop numbers are the input's TTLs";
        ASSERT_TRUE(h.loc) << "hop " << h.hop;
        const double err = great_circle_km(h.loc->lat, h.loc->lon, want[i].second.lat, want[i].second.lon);
        EXPECT_LT(err, 200.0) << "hop " << h.hop << " decoded " << h.loc->city << ", validated "
                              << want[i].second.name;
        EXPECT_GT(h.posterior, 0.0);
        EXPECT_LE(h.posterior, 1.0 + 1e-9);
    }
}

TEST(CaseStudies, AucklandToNurembergWithDbIpAnswers)
{
    const GeoResult r = decode_fixture("case_auckland_nuremberg_dbip.jsonl");
    expect_hops(r, {{1, kAuckland}, {2, kAuckland}, {3, kAuckland}, {5, kNuremberg}});
    // DB-IP put hop 1 in Lower Hutt, ~400 km from the Auckland vantage at 0 ms.
    EXPECT_EQ(r.hops[0].loc->city, "Auckland");
    ASSERT_TRUE(r.alignment.has_value());
    EXPECT_GT(*r.alignment, 0.0) << "the decode must explain the RTTs better than the raw GeoDB path";
    EXPECT_TRUE(r.flagged_segments.empty());
}

TEST(CaseStudies, AucklandToNurembergWithMaxMindAnswersDecodesTheSame)
{
    const GeoResult a = decode_fixture("case_auckland_nuremberg_dbip.jsonl");
    const GeoResult b = decode_fixture("case_auckland_nuremberg_maxmind.jsonl");
    expect_hops(b, {{1, kAuckland}, {2, kAuckland}, {3, kAuckland}, {5, kNuremberg}});
    ASSERT_EQ(a.hops.size(), b.hops.size());
    for (size_t i = 0; i < a.hops.size(); ++i)
        EXPECT_LT(great_circle_km(*a.hops[i].loc, *b.hops[i].loc), 40.0) << "hop " << a.hops[i].hop;
}

TEST(CaseStudies, ZurichToIndonesiaMovesAmsterdamHopsToSingapore)
{
    const GeoResult r = decode_fixture("case_zurich_indonesia.jsonl");
    expect_hops(r, {{1, kZurich},
                    {2, kZurich},
                    {3, kZurich},
                    {4, kZurich},
                    {5, kSingapore},
                    {6, kSingapore},
                    {7, kSingapore},
                    {10, kSerang}});
    // The GeoDB said Amsterdam for hops 5 and 6; both stay candidates.
    for (size_t i : {4u, 5u}) {
        bool has_amsterdam = false;
        for (const Candidate &c : r.hops[i].candidates)
            has_amsterdam |= c.loc.city == "Amsterdam";
        EXPECT_TRUE(has_amsterdam);
        EXPECT_EQ(r.hops[i].loc->country, "SG");
    }
    // Hop 7 is 10.111.222.210: no evidence of its own, carried by neighbours.
    for (const Candidate &c : r.hops[6].candidates)
        for (Source s : c.sources)
            EXPECT_TRUE(s == Source::anchor || s == Source::neighbour || s == Source::facility);
    EXPECT_GT(*r.alignment, 0.0);
}

} // namespace
} // namespace pathmap::geo
