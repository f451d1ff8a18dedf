// The rules file is data: defaults load, users extend or replace them, and
// mistakes in a rules file are reported by name.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "graph/hop_classifier.h"
#include "graph/rules.h"

using namespace pathmap;
using namespace pathmap::graph;

namespace {

std::string write_tmp(const std::string &name, const std::string &text)
{
    std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

HopRole role_of_first_hop(const RuleSet &rs, const char *addr, const char *rdns = nullptr)
{
    TopologyBuilder b;
    Trace t;
    t.dst = "198.19.9.9";
    Hop h;
    h.ttl = 1;
    h.addr = addr;
    h.rtt_ms = 1;
    if (rdns) h.rdns = rdns;
    t.hops.push_back(h);
    b.add(t);
    b.finish();
    HopClassifier c(b, {.rules = &rs});
    return c.classify(0).hops.at(0).role;
}

TEST(Rules, DefaultsLoadAndCoverEveryRole)
{
    RuleSet rs = default_rules();
    EXPECT_GT(rs.rules.size(), 10u);
    EXPECT_EQ(rs.role(HopRole::cgnat).layer, "nat");
    EXPECT_EQ(rs.region_codes.at("sin"), "SG");
    EXPECT_NE(std::string(default_rules_text()).find("\"rules\""), std::string::npos);
}

TEST(Rules, UserRulesComeFirstAndWin)
{
    std::string f = write_tmp("ext.json", R"({"rules": [{"name": "lab_ixp", "role": "ixp", "confidence": 0.9,
        "if": {"rdns_regex": "\\.ix\\.example$"}}]})");
    RuleSet rs = load_rules(f);
    EXPECT_EQ(rs.rules.front().name, "lab_ixp");
    EXPECT_EQ(role_of_first_hop(rs, "198.51.7.1", "port1.ix.example"), HopRole::ixp);
    EXPECT_EQ(role_of_first_hop(rs, "198.51.7.1", "other.example"), HopRole::transit); // defaults still apply
}

TEST(Rules, ReplaceModeDropsDefaults)
{
    std::string f = write_tmp("rep.json", R"({"mode": "replace", "rules": [{"name": "all_cgnat", "role": "cgnat",
        "if": {"addr_class": ["public"]}}]})");
    RuleSet rs = load_rules(f);
    EXPECT_EQ(rs.rules.size(), 1u);
    EXPECT_EQ(role_of_first_hop(rs, "198.51.7.1"), HopRole::cgnat);
    EXPECT_EQ(role_of_first_hop(rs, "10.1.1.1"), HopRole::unknown);
}

TEST(Rules, MistakesAreNamed)
{
    auto msg = [](const std::string &text) {
        try {
            parse_rules(text, "x.json");
        } catch (const std::runtime_error &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(msg(R"({"rules": [{"name": "r", "role": "router"}]})").find("'\"router\"' is not a hop role"), std::string::npos);
    EXPECT_NE(msg(R"({"rules": [{"name": "r", "role": "cgnat", "if": {"colour": 1}}]})").find("rule r, colour: unknown condition"),
              std::string::npos);
    EXPECT_NE(msg(R"({"rules": [{"name": "r", "role": "cgnat", "if": {"rdns_regex": "("}}]})").find("bad regular expression"),
              std::string::npos);
    EXPECT_NE(msg("{not json").find("x.json: not valid JSON"), std::string::npos);
    EXPECT_THROW(load_rules("/nonexistent/rules.json"), std::runtime_error);
}

TEST(Rules, AddressClasses)
{
    EXPECT_EQ(classify_address(0x64400101u), AddrClass::shared);  // 100.64.1.1
    EXPECT_EQ(classify_address(0x0A000001u), AddrClass::rfc1918); // 10.0.0.1
    EXPECT_EQ(classify_address(0xAC1F0001u), AddrClass::rfc1918); // 172.31.0.1
    EXPECT_EQ(classify_address(0xAC200001u), AddrClass::public_); // 172.32.0.1
    EXPECT_EQ(classify_address(0xC0000201u), AddrClass::bogon);   // 192.0.2.1
    EXPECT_EQ(classify_address(0xC6120001u), AddrClass::public_); // 198.18.0.1 (benchmarking space, used by the testbed)
}

} // namespace
