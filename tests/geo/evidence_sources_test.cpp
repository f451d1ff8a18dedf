// Geofeed, IXP, GeoDB CSV tables, latency priors and the bogon test.
#include <fstream>

#include <gtest/gtest.h>

#include "graph/geo/evidence_sources.h"
#include "graph/geo/path_geolocator.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

uint32_t ip(const char *s) { return *parse_ipv4(s); }

TEST(Geofeed, Rfc8805RowsWithLongestPrefixMatch)
{
    auto feed = PrefixLocations::load_csv(test::data("geofeed.csv"), PrefixLocations::Format::geofeed,
                                          &test::gazetteer());
    EXPECT_EQ(feed.size(), 3u);    // the IPv6 row is skipped
    EXPECT_EQ(feed.skipped(), 1u); // the country-only row cannot be placed in a city
    EXPECT_EQ(feed.lookup(ip("192.0.2.77"))->city, "Frankfurt am Main");
    EXPECT_EQ(feed.lookup(ip("203.0.113.5"))->city, "Singapore");
    EXPECT_EQ(feed.lookup(ip("203.0.113.200"))->city, "Tokyo"); // the /25 beats the /24
    EXPECT_FALSE(feed.lookup(ip("198.51.100.1")));
    EXPECT_FALSE(feed.lookup(ip("8.8.8.8")));
}

TEST(IxpTable, CityFromGazetteerOrGivenCoordinates)
{
    auto ixp =
        PrefixLocations::load_csv(test::data("ixp.csv"), PrefixLocations::Format::ixp, &test::gazetteer());
    ASSERT_EQ(ixp.size(), 3u);
    EXPECT_EQ(ixp.lookup(ip("91.206.52.37"))->city, "Zurich");
    EXPECT_EQ(ixp.lookup(ip("91.206.53.1"))->city, "Zurich"); // /23
    EXPECT_DOUBLE_EQ(ixp.lookup(ip("80.81.192.10"))->lat, 50.1109);
}

TEST(GeoDbCsv, AnswersAndDefaultRoute)
{
    auto db = GeoDb::open(test::data("geodb.csv"), &test::gazetteer());
    EXPECT_EQ(db->lookup(ip("87.245.234.83"))->city, "Amsterdam");
    EXPECT_EQ(db->lookup(ip("206.237.97.100"))->country, "ID");
    // "Nowhere Town, ZZ" has no coordinates and no gazetteer entry: skipped.
    EXPECT_FALSE(db->lookup(ip("8.8.8.8")));
}

TEST(GeoDbCsv, TablesFromTheContextFeedTheCandidates)
{
    auto db = GeoDb::open(test::data("geodb.csv"), &test::gazetteer());
    auto ixp =
        PrefixLocations::load_csv(test::data("ixp.csv"), PrefixLocations::Format::ixp, &test::gazetteer());
    GeoTrace t;
    t.hops = {{.hop = 1, .addr = "194.242.34.201", .rtt_ms = 0.2, .rdns = {}, .evidence = {}},
              {.hop = 2, .addr = "91.206.52.37", .rtt_ms = 1.0, .rdns = {}, .evidence = {}},
              {.hop = 3,
               .addr = "198.18.0.9",
               .rtt_ms = 1.3,
               .rdns = std::string("ae1.cr1.zrh2.example.net"),
               .evidence = {}}};
    const PathGeolocator locator({.gazetteer = &test::gazetteer(), .ixp = &ixp, .geodb = db.get()});
    const GeoResult r = locator.locate(t);
    auto has = [](const LocatedHop &h, const char *city, Source s) {
        for (const Candidate &c : h.candidates)
            if (c.loc.city == city)
                for (Source x : c.sources)
                    if (x == s) return true;
        return false;
    };
    EXPECT_TRUE(has(r.hops[0], "Opfikon", Source::geodb));
    EXPECT_TRUE(has(r.hops[1], "Zurich", Source::ixp));
    EXPECT_TRUE(has(r.hops[2], "Zurich", Source::rdns)); // a bogon still has its own hostname
    for (const LocatedHop &h : r.hops)
        EXPECT_LT(great_circle_km(h.loc->lat, h.loc->lon, 47.3769, 8.5417), 20.0);
}

TEST(GeoTables, OneLineErrorsNameFileAndLine)
{
    const std::string bad = std::string(PATHMAP_BINARY_DIR) + "/geo_bad_geofeed.csv";
    std::ofstream(bad) << "# comment\n192.0.2.0/24,DE,,Berlin,\nnot-a-prefix,DE,,Berlin,\n";
    try {
        PrefixLocations::load_csv(bad, PrefixLocations::Format::geofeed, &test::gazetteer());
        FAIL() << "malformed geofeed accepted";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find(":3:"), std::string::npos) << e.what();
    }
    std::ofstream(bad) << "192.0.2.0/24,Berlin,DE,91.0,13.4\n";
    EXPECT_THROW(PrefixLocations::load_csv(bad, PrefixLocations::Format::geodb, &test::gazetteer()),
                 std::runtime_error);
    std::ofstream(bad) << "192.0.2.0/24,Berlin,DE,abc,13.4\n";
    EXPECT_THROW(PrefixLocations::load_csv(bad, PrefixLocations::Format::geodb, &test::gazetteer()),
                 std::runtime_error);
    EXPECT_THROW(GeoDb::open("/nonexistent.csv", &test::gazetteer()), std::runtime_error);
    EXPECT_THROW(GeoDb::open("/nonexistent.mmdb", &test::gazetteer()), std::runtime_error);
    // Not a MaxMind DB: libmaxminddb (through dlopen) rejects it with its own message.
    const std::string fake = std::string(PATHMAP_BINARY_DIR) + "/geo_fake.mmdb";
    std::ofstream(fake) << "this is not a maxmind database\n";
    try {
        GeoDb::open(fake, &test::gazetteer());
        ADD_FAILURE() << "garbage .mmdb accepted";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("geo_fake.mmdb"), std::string::npos) << e.what();
    }
}

TEST(LatencyPriors, SmoothedHistogramWithTrustWeight)
{
    LatencyPriors p;
    for (int i = 0; i < 100; ++i)
        p.add_sample("DE", "FR", 10.0 + (i % 3)); // all in bin 2 (10-15 ms)
    p.add_sample("NL", "GB", 7.0);
    p.finish();
    const double at_peak = *p.log_score("FR", "DE", 12.0); // order of the pair does not matter
    const double near = *p.log_score("DE", "FR", 17.0);    // one bin away, smoothed (sigma 2 bins)
    const double far = *p.log_score("DE", "FR", 80.0);
    EXPECT_NEAR(at_peak, 0.0, 1e-9);
    EXPECT_NEAR(near, 0.85 * -0.125, 1e-6); // 0.85 * log(exp(-1/8))
    EXPECT_LT(far, -5.0);
    // One sample: trusted 1/50 of the full weight.
    EXPECT_NEAR(*p.log_score("GB", "NL", 40.0) / (0.85 / 50.0), std::log(1e-6), 1e-6);
    EXPECT_FALSE(p.log_score("US", "CA", 10.0));
}

TEST(GeoBogon, SpecialPurposeRanges)
{
    for (const char *a : {"10.111.222.210", "100.64.0.1", "172.16.5.5", "192.168.1.1", "127.0.0.1",
                          "169.254.1.1", "198.18.0.1", "0.1.2.3", "224.0.0.1", "255.255.255.255",
                          "192.88.99.1", "240.1.2.3"})
        EXPECT_TRUE(is_bogon(ip(a))) << a;
    for (const char *a : {"87.245.234.83", "8.8.8.8", "172.32.0.1", "100.128.0.1", "198.20.0.1", "192.0.0.9"})
        EXPECT_FALSE(is_bogon(ip(a))) << a;
}

} // namespace
} // namespace pathmap::geo
