// Gazetteer loading, name lookups and the embedded code tables.
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "graph/geo/code_tables.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

TEST(Gazetteer, LoadsGeoNamesCities15000)
{
    const Gazetteer &g = test::gazetteer();
    EXPECT_GT(g.size(), 20000u); // cities15000 lists ~23k places
    const City *zurich = g.find("Zurich");
    ASSERT_NE(zurich, nullptr);
    EXPECT_EQ(zurich->loc.country, "CH");
    EXPECT_NEAR(zurich->loc.lat, 47.37, 0.05);
    EXPECT_NEAR(zurich->loc.lon, 8.55, 0.05);
}

TEST(Gazetteer, AlternateNamesAndCountryFilter)
{
    const Gazetteer &g = test::gazetteer();
    const City *nue = g.find("Nuremberg", "DE"); // GeoNames' ASCII name is "Nuernberg"
    ASSERT_NE(nue, nullptr);
    EXPECT_EQ(nue->loc.city, "Nuernberg");
    const City *geneva = g.find("Geneva", "CH"); // a US "Geneva" exists too
    ASSERT_NE(geneva, nullptr);
    EXPECT_EQ(geneva->loc.country, "CH");
    const City *sj_cr = g.find("San Jose", "CR");
    const City *sj = g.find("San Jose");
    ASSERT_TRUE(sj_cr && sj);
    EXPECT_EQ(sj->loc.country, "US"); // most populous wins without a country
    EXPECT_EQ(g.find("Atlantis Nowhere"), nullptr);
    EXPECT_EQ(g.find("Zurich", "DE"), nullptr);
}

TEST(Gazetteer, ResolveFillsCoordinatesOnlyWhenMissing)
{
    const Gazetteer &g = test::gazetteer();
    Location l{.city = "Singapore", .country = "SG"};
    ASSERT_TRUE(g.resolve(l));
    EXPECT_NEAR(l.lat, 1.29, 0.05);
    Location given{.city = "Cibitung", .country = "ID", .lat = -6.2553, .lon = 107.0833};
    ASSERT_TRUE(g.resolve(given));
    EXPECT_DOUBLE_EQ(given.lat, -6.2553);
    Location unknown{.city = "Cibitung", .country = "ID"}; // not in cities15000
    EXPECT_FALSE(g.resolve(unknown));
}

TEST(CodeTables, EveryEntryResolvesInTheGazetteer)
{
    const Gazetteer &g = test::gazetteer();
    for (auto table : {iata_codes(), operator_codes(), interconnection_hubs()})
        for (const CodeEntry &e : table) {
            const City *c = g.find(e.city, e.country);
            EXPECT_NE(c, nullptr) << e.code << " -> " << e.city << "," << e.country;
            if (c) {
                EXPECT_GT(c->population, 15000u) << e.city;
            }
        }
    EXPECT_GE(iata_codes().size(), 150u);
}

TEST(CodeTables, IataCodesPlaceTheirMetro)
{
    const Gazetteer &g = test::gazetteer();
    struct Want {
        const char *code;
        double lat, lon;
    };
    // Coordinates of the airports themselves: the metro must be within 60 km.
    for (Want w : {Want{"FRA", 50.033, 8.571}, Want{"SIN", 1.364, 103.991}, Want{"IAD", 38.944, -77.456},
                   Want{"AKL", -37.008, 174.792}, Want{"ZRH", 47.464, 8.549}, Want{"HND", 35.549, 139.780}}) {
        const City *c = g.find_iata(w.code);
        ASSERT_NE(c, nullptr) << w.code;
        EXPECT_LT(great_circle_km(c->loc.lat, c->loc.lon, w.lat, w.lon), 60.0)
            << w.code << " -> " << c->loc.city;
    }
    EXPECT_EQ(g.find_iata("XQZ"), nullptr);
}

TEST(Gazetteer, MissingFileGivesAnActionableError)
{
    EXPECT_THROW(Gazetteer::load_file("/nonexistent/cities15000.txt"), std::runtime_error);
    const std::string bad = std::string(PATHMAP_BINARY_DIR) + "/geo_bad_gazetteer.txt";
    std::ofstream(bad) << "not\ta\tgeonames\tline\n";
    try {
        Gazetteer::load_file(bad);
        FAIL() << "malformed gazetteer accepted";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find(":1:"), std::string::npos) << e.what();
    }
    ::setenv("PATHMAP_GAZETTEER", "/nonexistent/cities.txt", 1);
    EXPECT_EQ(Gazetteer::search_path().front(), "/nonexistent/cities.txt");
    ::unsetenv("PATHMAP_GAZETTEER");
}

} // namespace
} // namespace pathmap::geo
