// The direct geolocated.jsonl writer gives the JSON of to_json: the same
// document (parsed and compared) and the same bytes, on results with flagged
// segments, unplaced hops of every reason, candidates and names that need
// escaping.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "graph/geo/geo_json.h"
#include "graph/geo/geo_result_writer.h"
#include "graph/geo_input.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

void expect_same(const GeoResult &r, const std::string &vantage_id)
{
    std::string line;
    append_result_line(line, r, vantage_id);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    nlohmann::json want = to_json(r);
    if (!vantage_id.empty()) want["vantage_id"] = vantage_id;
    const nlohmann::json got = nlohmann::json::parse(line);
    EXPECT_EQ(got, nlohmann::json::parse(want.dump())); // dump writes NaN as null
    EXPECT_EQ(line, want.dump() + "\n");
}

TEST(GeoResultWriter, CaseStudiesWriteWhatToJsonDumps)
{
    const PathGeolocator locator({.gazetteer = &test::gazetteer()});
    size_t flagged = 0, results = 0;
    for (const char *f : {"case_auckland_nuremberg_dbip.jsonl", "case_auckland_nuremberg_maxmind.jsonl",
                          "case_zurich_indonesia.jsonl"})
        for (const GeoTrace &t : graph::read_geo_traces(test::data(f))) {
            const GeoResult r = locator.locate(t);
            flagged += !r.flagged_segments.empty();
            ++results;
            expect_same(r, results % 2 ? "" : "6001");
        }
    EXPECT_GE(results, 3u);
    (void)flagged;
}

TEST(GeoResultWriter, UnplacedReasonsFlaggedSegmentsAndEscapes)
{
    GeoResult r;
    r.pcs = -1.25;
    r.distance_km = 1234.5;
    r.vantage_known = true;
    r.flagged_segments.push_back(
        {.from_hop = 2, .to_hop = 3, .distance_km = 9000.0, .min_rtt_ms = 90.97, .rtt_delta_ms = 1.0, .reason = "infeasible"});
    LocatedHop placed{.hop = 2, .addr = "192.0.2.1", .loc = Location{.city = "Qu\"ote\\d \x01", .country = "NL", .lat = 52.0, .lon = 4.9}};
    placed.posterior = 1.0;
    placed.candidates = {{.loc = *placed.loc, .sources = {Source::geodb, Source::neighbour}},
                         {.loc = {.city = "Zürich", .country = "CH", .lat = 47.3769, .lon = 8.5417}, .sources = {}}};
    r.hops.push_back(placed);
    r.hops.push_back({.hop = 3, .addr = "192.0.2.2", .unplaced = "infeasible"});
    r.hops.push_back({.hop = 4, .addr = "", .unplaced = "silent"});
    r.hops.push_back({.hop = 5, .addr = "192.0.2.3", .unplaced = "no_rtt"});
    r.hops.push_back({.hop = 6, .addr = "192.0.2.4"});
    expect_same(r, "");
    r.alignment = 0.5;
    r.pcs = std::nan("");
    expect_same(r, "prb \"7\"");
    // --no-candidates: the same line without the lists.
    std::string slim;
    append_result_line(slim, r, "", false);
    nlohmann::json want = nlohmann::json::parse(to_json(r).dump());
    for (auto &h : want["hops"]) h.erase("candidates");
    EXPECT_EQ(nlohmann::json::parse(slim), want);
}

} // namespace
} // namespace pathmap::geo
