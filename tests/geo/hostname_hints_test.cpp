// Hostname hints on a table of real-style router names (tests/data/geo/hostnames.csv).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "graph/geo/hostname_hints.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

struct Row {
    std::string host, city, country, kind;
};

std::vector<Row> read_table()
{
    std::ifstream in(test::data("hostnames.csv"));
    std::vector<Row> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::stringstream ss(line);
        Row r;
        std::getline(ss, r.host, ',');
        std::getline(ss, r.city, ',');
        std::getline(ss, r.country, ',');
        std::getline(ss, r.kind, ',');
        rows.push_back(r);
    }
    return rows;
}

const char *kind_name(HostnameHint::Kind k)
{
    switch (k) {
    case HostnameHint::Kind::iata:
        return "iata";
    case HostnameHint::Kind::operator_code:
        return "operator_code";
    case HostnameHint::Kind::city_name:
        return "city_name";
    }
    return "?";
}

TEST(HostnameHints, RealStyleRouterNames)
{
    const auto rows = read_table();
    ASSERT_GE(rows.size(), 25u);
    size_t located = 0;
    for (const Row &r : rows) {
        const auto hints = parse_hostname(r.host, test::gazetteer());
        if (r.city.empty()) {
            EXPECT_TRUE(hints.empty())
                << r.host << " gave " << (hints.empty() ? "" : hints[0].city->loc.city);
            continue;
        }
        ASSERT_FALSE(hints.empty()) << r.host;
        const City *want = test::gazetteer().find(r.city, r.country);
        ASSERT_NE(want, nullptr) << r.city;
        EXPECT_EQ(hints[0].city, want)
            << r.host << " -> " << hints[0].city->loc.city << " via " << hints[0].token;
        EXPECT_STREQ(kind_name(hints[0].kind), r.kind.c_str()) << r.host;
        ++located;
    }
    EXPECT_GE(located, 20u);
}

TEST(HostnameHints, AmbiguousCodeKeepsEveryReading)
{
    // Telia's "sjo" is San Jose, California; the IATA code SJO is San José, Costa Rica.
    const auto hints = parse_hostname("sjo-b23-link.ip.twelve99.net", test::gazetteer());
    ASSERT_EQ(hints.size(), 2u);
    EXPECT_NE(hints[0].city->loc.country, hints[1].city->loc.country);
}

TEST(HostnameHints, CountryLabelNarrowsAmbiguity)
{
    EXPECT_EQ(parse_hostname("sjo-b23.example.net", test::gazetteer()).size(), 2u);
    EXPECT_EQ(parse_hostname("sjo-b23.example.net.cr", test::gazetteer()).size(), 2u)
        << "the registered domain's country is not a location hint";
    const auto us = parse_hostname("sjo-b23.us.example.net", test::gazetteer());
    ASSERT_EQ(us.size(), 1u);
    EXPECT_EQ(us[0].city->loc.country, "US");
    const auto cr = parse_hostname("sjo-b23.cr.example.net", test::gazetteer());
    ASSERT_EQ(cr.size(), 1u);
    EXPECT_EQ(cr[0].city->loc.country, "CR");
}

TEST(HostnameHints, DomainLabelsAreIgnored)
{
    // "frankfurt" in the registered domain says nothing about the router.
    EXPECT_TRUE(parse_hostname("ae1.core.frankfurt.de", test::gazetteer()).empty());
    EXPECT_TRUE(parse_hostname("router.frankfurt-networks.com", test::gazetteer()).empty());
    EXPECT_TRUE(parse_hostname("", test::gazetteer()).empty());
    EXPECT_TRUE(parse_hostname("....", test::gazetteer()).empty());
}

} // namespace
} // namespace pathmap::geo
