// MTR target parsing, and the blocklist shared with the sweep: both
// commands refuse a blocklisted target with the same line.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "pathmap/blocklist.h"
#include "userspace/engine/sched/target_set.h"
#include "userspace/mtr/target_list.h"

using namespace pathmap;

namespace {
uint32_t ip(const char *s) { return *parse_ipv4(s); }

std::string mtr_error(const std::vector<std::string> &items, const Blocklist &bl)
{
    try {
        mtr::parse_targets(items, bl);
    } catch (const std::invalid_argument &e) {
        return e.what();
    }
    return "";
}

std::string sweep_error(const std::vector<std::string> &items, const Blocklist &bl)
{
    try {
        std::vector<Ipv4Prefix> prefixes;
        for (const auto &t : items) prefixes.push_back(sched::parse_target(t));
        sched::select_targets(prefixes, bl, sched::TargetSelection{});
    } catch (const sched::TargetError &e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(MtrTargets, AddressesPortsAndCidrs)
{
    Blocklist open({*parse_prefix("198.18.0.0/15")});
    auto t = mtr::parse_targets({"198.19.1.7:443", "198.19.2.0/30", "198.19.1.7"}, open);
    EXPECT_EQ(t.port, 443);
    EXPECT_EQ(t.addrs, (std::vector<uint32_t>{ip("198.19.1.7"), ip("198.19.2.0"), ip("198.19.2.1"), ip("198.19.2.2"),
                                              ip("198.19.2.3")}));
    EXPECT_THROW(mtr::parse_targets({"198.19.1.7:80", "198.19.1.8:81"}, open), std::invalid_argument);
    EXPECT_THROW(mtr::parse_targets({"198.19.1.7:0"}, open), std::invalid_argument);
    EXPECT_THROW(mtr::parse_targets({"198.19.1.1/24"}, open), std::invalid_argument);
    EXPECT_THROW(mtr::parse_targets({}, open), std::invalid_argument);
    EXPECT_THROW(mtr::parse_targets({"198.18.0.0/15"}, open, 1000), std::invalid_argument);
}

TEST(MtrTargets, SweepAndMtrRefuseABlocklistedTargetWithTheSameLine)
{
    Blocklist def;
    for (const char *target : {"192.88.99.1", "10.0.0.1", "198.19.1.7", "100.64.0.1", "127.0.0.1", "169.254.1.1",
                               "192.0.2.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "240.0.0.1", "255.255.255.255",
                               "0.0.0.0", "192.0.0.8"}) {
        const std::string m = mtr_error({target}, def);
        EXPECT_EQ(m, def.refusal(ip(target))) << target;
        EXPECT_EQ(sweep_error({target}, def), m) << target;
        EXPECT_NE(m.find("--allow"), std::string::npos) << m;
    }
    // A whole blocked /24: both name its first address.
    EXPECT_EQ(mtr_error({"192.88.99.0/24"}, def), sweep_error({"192.88.99.0/24"}, def));
    EXPECT_EQ(mtr_error({"192.88.99.0/24"}, def), def.refusal(ip("192.88.99.0")));
}

TEST(MtrTargets, AllowOpensOnlyWhatItNames)
{
    Blocklist allow({*parse_prefix("192.88.99.0/25")});
    EXPECT_EQ(mtr::parse_targets({"192.88.99.0/25"}, allow).addrs.size(), 128u);
    EXPECT_EQ(mtr_error({"192.88.99.128"}, allow), allow.refusal(ip("192.88.99.128")));
    EXPECT_NE(mtr_error({"192.88.99.0/24"}, allow), ""); // the upper half is still closed
    EXPECT_NE(mtr_error({"10.0.0.1"}, allow), "");
    // Reachable registry entries inside a blocked block need no --allow.
    EXPECT_EQ(mtr::parse_targets({"192.0.0.9", "192.0.0.10"}, Blocklist{}).addrs.size(), 2u);
}
