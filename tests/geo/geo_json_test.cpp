// Input detection (annotated vs traces.jsonl), bad input, and the output shape.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "graph/geo/geo_json.h"
#include "graph/geo_input.h"
#include "tests/geo/geo_test_support.h"

namespace pathmap::geo
{
namespace
{

TEST(GeoJson, ReadsBothFormatsInInputOrder)
{
    std::istringstream in(
        R"({"dst":"198.18.1.1","flow_id":0,"reached":true,"stop_reason":"reached","hops":[{"ttl":1,"addr":"198.18.0.1","rtt_ms":0.3,"rdns":"ae1.fra1.example.net"},{"ttl":3,"addr":null,"rtt_ms":0}]})"
        "\n\n"
        R"({"src_anchor":{"city":"Zurich","country":"CH"},"dst_anchor":null,"hops":[{"hop":4,"addr":"192.0.2.1","rtt_ms":1.5,"rdns":null,"rdns_hint":null,"ixp":{"city":"Zurich","country":"CH","lat":47.37,"lon":8.55},"geodb":null}]})"
        "\n");
    auto traces = graph::read_annotated_lines(in);
    ASSERT_EQ(traces.size(), 2u);
    EXPECT_EQ(traces[0].hops.size(), 2u);
    EXPECT_EQ(traces[0].hops[0].rdns.value_or(""), "ae1.fra1.example.net");
    EXPECT_TRUE(traces[0].hops[1].addr.empty());
    EXPECT_EQ(traces[1].src_anchor->city, "Zurich");
    EXPECT_FALSE(traces[1].dst_anchor);
    EXPECT_EQ(traces[1].hops[0].hop, 4);
    EXPECT_DOUBLE_EQ(traces[1].hops[0].evidence.ixp->lat, 47.37);
}

TEST(GeoJson, BadLinesNameTheLine)
{
    for (const char *bad : {"{not json", R"({"hops":[{"hop":"x"}]})", R"({"src_anchor":5,"hops":[]})",
                            R"({"hops":[{"hop":1,"rtt_ms":-3}]})",
                            R"({"hops":[{"hop":1,"geodb":{"city":"X","lat":95,"lon":0}}]})",
                            R"({"hops":[{"hop":1,"geodb":{"city":"X","lat":5}}]})", R"({"dst":"1.2.3.4"})"}) {
        std::istringstream in(std::string("\n") + bad + "\n");
        try {
            graph::read_annotated_lines(in);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const GeoInputError &e) {
            EXPECT_EQ(std::string(e.what()).rfind("line 2:", 0), 0u) << e.what();
        }
    }
}

TEST(GeoJson, OutputHasTheIssueFields)
{
    auto traces = graph::read_geo_traces(test::data("case_zurich_indonesia.jsonl"));
    const PathGeolocator locator({.gazetteer = &test::gazetteer()});
    const nlohmann::json j = to_json(locator.locate(traces.at(0)));
    for (const char *k : {"pcs", "alignment", "distance_km", "flagged_segments", "hops"})
        EXPECT_TRUE(j.contains(k)) << k;
    ASSERT_EQ(j["hops"].size(), 8u);
    const auto &h = j["hops"][7];
    EXPECT_EQ(h["hop"], 10);
    EXPECT_EQ(h["addr"], "206.237.97.100");
    for (const char *k : {"city", "country", "lat", "lon", "posterior", "candidates"})
        EXPECT_TRUE(h.contains(k)) << k;
    ASSERT_FALSE(h["candidates"].empty());
    for (const char *k : {"city", "country", "lat", "lon", "sources"})
        EXPECT_TRUE(h["candidates"][0].contains(k)) << k;
}

} // namespace
} // namespace pathmap::geo
