// Route groups: targets split by their kernel route, the lookups that costs,
// and the one-line refusals (two next hops on one interface, a local subnet).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "pathmap/ipv4.h"
#include "userspace/engine/session/route_groups.h"

using namespace pathmap;
using namespace pathmap::session;

namespace {
uint32_t ip(const char *s) { return *parse_ipv4(s); }

std::vector<uint32_t> range(const char *first, uint32_t n)
{
    std::vector<uint32_t> v;
    for (uint32_t i = 0; i < n; ++i) v.push_back(ip(first) + i);
    return v;
}

// A multi-homed host: 198.19.128.0/17 leaves through interface 3, the rest
// through interface 2; lookups are counted.
struct TwoUplinks {
    int lookups = 0;
    tx::Route operator()(uint32_t dst)
    {
        ++lookups;
        if ((dst & 0xffff8000u) == ip("198.19.128.0")) return {.oif = 3, .gateway = ip("198.18.0.5"), .src = ip("198.18.0.6")};
        return {.oif = 2, .gateway = ip("198.18.0.1"), .src = ip("198.18.0.2")};
    }
};
} // namespace

TEST(RouteGroups, OneRouteIsOneGroup)
{
    const auto targets = range("198.19.1.0", 512);
    TwoUplinks routes;
    const auto g = RouteGroups::plan(targets, [&](uint32_t d) { return routes(d); });
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0].targets, 512u);
    EXPECT_EQ(g[0].route.oif, 2);
    EXPECT_EQ(g[0].first_target, ip("198.19.1.0"));
    EXPECT_EQ(g.group_of(ip("198.19.2.7")), 0);
    // A /24 block no longer route splits costs one lookup, not one per target.
    EXPECT_EQ(routes.lookups, 2);
}

TEST(RouteGroups, SplitsAMultiHomedSweepByInterface)
{
    auto targets = range("198.19.126.0", 1024); // 198.19.126.0 - 198.19.129.255
    std::reverse(targets.begin(), targets.end()); // order of the input does not matter
    TwoUplinks routes;
    const auto g = RouteGroups::plan(targets, [&](uint32_t d) { return routes(d); });
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].route.oif, 2);
    EXPECT_EQ(g[0].targets, 512u);
    EXPECT_EQ(g[1].route.oif, 3);
    EXPECT_EQ(g[1].targets, 512u);
    EXPECT_EQ(g[1].first_target, ip("198.19.128.0"));
    EXPECT_EQ(g.group_of(ip("198.19.127.255")), 0);
    EXPECT_EQ(g.group_of(ip("198.19.128.0")), 1);
    EXPECT_EQ(g.group_of(ip("198.19.129.200")), 1);
}

TEST(RouteGroups, ARouteLongerThanTwentyFourIsFollowedPerTarget)
{
    // 198.19.5.64/26 leaves through interface 3; the rest of the /24 does not.
    auto lookup = [](uint32_t d) -> tx::Route {
        if ((d & 0xffffffc0u) == ip("198.19.5.64")) return {.oif = 3, .gateway = ip("198.18.0.5"), .src = ip("198.18.0.6")};
        return {.oif = 2, .gateway = ip("198.18.0.1"), .src = ip("198.18.0.2")};
    };
    // Unless the host's longer routes are passed, the /24 is taken as one.
    EXPECT_EQ(RouteGroups::plan(range("198.19.5.0", 256), lookup).size(), 1u);
    const std::vector<tx::RoutePrefix> longer{{.addr = ip("198.19.5.64"), .len = 26}};
    const auto g = RouteGroups::plan(range("198.19.5.0", 256), lookup, longer);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].targets, 192u);
    EXPECT_EQ(g[1].targets, 64u);
    EXPECT_EQ(g.group_of(ip("198.19.5.63")), 0);
    EXPECT_EQ(g.group_of(ip("198.19.5.64")), 1);
    EXPECT_EQ(g.group_of(ip("198.19.5.127")), 1);
    EXPECT_EQ(g.group_of(ip("198.19.5.128")), 0);
}

TEST(RouteGroups, OrderByGroupIsStableWithinEachGroup)
{
    TwoUplinks routes;
    const auto g = RouteGroups::plan(range("198.19.127.0", 512), [&](uint32_t d) { return routes(d); });
    ASSERT_EQ(g.size(), 2u);
    std::vector<probe::ProbeSpec> probes;
    for (const char *a : {"198.19.128.9", "198.19.127.1", "198.19.128.3", "198.19.127.7", "198.19.127.2"})
        probes.push_back({.dst = ip(a), .ttl = 1, .flow_id = 0});
    g.order_by_group(probes);
    std::vector<uint32_t> got;
    for (const auto &p : probes) got.push_back(p.dst);
    EXPECT_EQ(got, (std::vector<uint32_t>{ip("198.19.127.1"), ip("198.19.127.7"), ip("198.19.127.2"), ip("198.19.128.9"),
                                          ip("198.19.128.3")}));
}

TEST(RouteGroups, TwoNextHopsOnOneInterfaceAreRefusedInOneLine)
{
    auto lookup = [](uint32_t d) -> tx::Route {
        return {.oif = 2, .gateway = d < ip("198.19.2.0") ? ip("198.18.0.1") : ip("198.18.0.3"), .src = ip("198.18.0.2")};
    };
    try {
        RouteGroups::plan(range("198.19.1.0", 512), lookup);
        FAIL() << "accepted two next hops on one interface";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("two next hops"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("198.18.0.3"), std::string::npos) << e.what();
    }
}

TEST(RouteGroups, ALocalSubnetIsRefusedButOneOnLinkTargetIsFine)
{
    auto onlink = [](uint32_t) -> tx::Route { return {.oif = 2, .gateway = 0, .src = ip("198.18.0.2")}; };
    EXPECT_EQ(RouteGroups::plan(range("198.18.0.1", 1), onlink).size(), 1u);
    try {
        RouteGroups::plan(range("198.18.0.1", 2), onlink);
        FAIL() << "accepted a local subnet";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("on-link"), std::string::npos) << e.what();
    }
}

TEST(RouteGroups, AFailedLookupNamesTheTarget)
{
    auto lookup = [](uint32_t d) -> tx::Route {
        if (d >= ip("198.19.9.0")) throw std::runtime_error("no route to host");
        return {.oif = 2, .gateway = ip("198.18.0.1"), .src = ip("198.18.0.2")};
    };
    try {
        RouteGroups::plan(range("198.19.8.0", 512), lookup);
        FAIL() << "planned a target without a route";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("cannot route target 198.19.9.0: no route to host"), std::string::npos) << e.what();
    }
}
