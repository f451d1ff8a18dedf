// --probes tables: CSV and RIPE Atlas probe JSON in its three shapes, the
// GeoJSON coordinate order, one-line errors; a trace with a vantage says so.
#include <gtest/gtest.h>

#include "graph/geo/probe_locations.h"
#include "graph/geo/path_geolocator.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

TEST(ProbeLocations, CsvWithOrWithoutHeader)
{
    const auto p = ProbeLocations::parse("prb_id,lat,lon,country\n713, 45.46,9.19,it\n# a comment\n\n738,47.37,8.55\n",
                                         "probes.csv");
    EXPECT_EQ(p.size(), 2u);
    EXPECT_DOUBLE_EQ(p.find("713")->lat, 45.46);
    EXPECT_DOUBLE_EQ(p.find("713")->lon, 9.19);
    EXPECT_EQ(p.find("713")->country, "IT");
    EXPECT_EQ(p.find("738")->country, "");
    EXPECT_FALSE(p.find("832"));
    EXPECT_EQ(ProbeLocations::parse("1,0.5,-0.5", "x").size(), 1u); // no header
}

TEST(ProbeLocations, AtlasJsonShapesAndGeoJsonOrder)
{
    const char *obj = R"({"id": 713, "geometry": {"type": "Point", "coordinates": [9.19, 45.46]}, "country_code": "IT"})";
    const char *unplaced = R"({"id": 9, "geometry": null})";
    for (const std::string &text : {std::string("[") + obj + "," + unplaced + "]",
                                    std::string(R"({"objects": [)") + obj + "," + unplaced + "]}",
                                    std::string(obj) + "\n" + unplaced + "\n"}) {
        const auto p = ProbeLocations::parse(text, "probes.json");
        ASSERT_EQ(p.size(), 1u) << text;
        EXPECT_DOUBLE_EQ(p.find("713")->lat, 45.46); // [lon, lat] in GeoJSON
        EXPECT_DOUBLE_EQ(p.find("713")->lon, 9.19);
        EXPECT_EQ(p.find("713")->country, "IT");
        EXPECT_EQ(p.skipped(), 1u);
    }
    // The older archive's latitude/longitude keys.
    EXPECT_DOUBLE_EQ(ProbeLocations::parse(R"([{"id": "5", "latitude": 1.5, "longitude": 2.5}])", "x").find("5")->lon, 2.5);
}

TEST(ProbeLocations, BadInputIsOneLineNamingTheFile)
{
    for (const char *bad : {"", "713,45.46\n", "713,north,9\n", "713,95,9\n", "[{\"geometry\": {}}]", "{\"id\": 1}\n{oops\n",
                            "[{\"id\": 1, \"geometry\": {\"coordinates\": [500, 1]}}]"}) {
        try {
            (void)ProbeLocations::parse(bad, "probes.csv");
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const GeoInputError &e) {
            const std::string what = e.what();
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
            EXPECT_NE(what.find("probes.csv"), std::string::npos) << what;
        }
    }
}

TEST(ProbeLocations, AVantageAnchorsTheFirstHops)
{
    const PathGeolocator locator({.gazetteer = &test::gazetteer()});
    GeoTrace t;
    t.dst_reached = false;
    t.hops = {{.hop = 1, .addr = "192.0.1.1", .rtt_ms = 0.4, .rdns = {}, .evidence = {}}};
    const GeoResult blind = locator.locate(t);
    EXPECT_FALSE(blind.vantage_known);
    EXPECT_FALSE(blind.hops[0].loc);
    t.src_anchor = Location{.city = "Milano", .country = "IT", .lat = 45.46, .lon = 9.19};
    const GeoResult anchored = locator.locate(t);
    EXPECT_TRUE(anchored.vantage_known);
    ASSERT_TRUE(anchored.hops[0].loc);
    EXPECT_EQ(anchored.hops[0].loc->city, "Milano");
}

TEST(Gazetteer, NearestCityWithinReach)
{
    const City *c = test::gazetteer().nearest(45.47, 9.18, 40.0);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->loc.country, "IT");
    EXPECT_EQ(test::gazetteer().nearest(0.0, -30.0, 40.0), nullptr); // mid-Atlantic
}

} // namespace
} // namespace pathmap::geo
