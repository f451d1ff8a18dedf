// Target parsing, the special-purpose blocklist and --allow, sampling.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "userspace/engine/sched/target_set.h"

using namespace pathmap;
using namespace pathmap::sched;

namespace {
uint32_t ip(const char *s) { return *parse_ipv4(s); }
} // namespace

TEST(Targets, ParseAcceptsAddressesAndPrefixes)
{
    EXPECT_EQ(parse_target("198.19.0.0/16").len, 16);
    EXPECT_EQ(parse_target(" 198.19.7.9 ").len, 32);
    EXPECT_THROW(parse_target("198.19.0.1/16"), TargetError); // host bits
    EXPECT_THROW(parse_target("300.1.1.1"), TargetError);
    EXPECT_THROW(parse_target("example.com"), TargetError);
    EXPECT_THROW(parse_target("1.2.3.0/33"), TargetError);
}

TEST(Targets, BlocklistCoversSpecialPurposeBlocksAndAllowOpens)
{
    Blocklist def;
    for (const char *a : {"0.1.2.3", "10.1.1.1", "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.1.1",
                          "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1",
                          "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.1.1.1", "240.0.0.1",
                          "255.255.255.255"}) {
        EXPECT_TRUE(def.blocked(ip(a))) << a;
    }
    for (const char *a : {"1.1.1.1", "100.128.0.1", "172.32.0.1", "192.0.3.1", "198.20.0.1", "8.8.8.8", "223.255.255.255"})
        EXPECT_FALSE(def.blocked(ip(a))) << a;
    Blocklist allow({*parse_prefix("198.18.0.0/15")});
    EXPECT_FALSE(allow.blocked(ip("198.19.1.1")));
    EXPECT_TRUE(allow.blocked(ip("10.0.0.1")));
    EXPECT_EQ(def.reason(ip("198.19.1.1")), "198.18.0.0/15");
}

TEST(Targets, SamplingSkipsWholeBlockedSlash24sAndKeepsReachableHoles)
{
    // 192.0.0.0/24 is blocked except the two anycast addresses the registry
    // marks globally reachable: sampling every host finds exactly those.
    auto set = select_targets({parse_target("192.0.0.0/24")}, Blocklist{}, TargetSelection{.per_24 = 254});
    EXPECT_EQ(set.addrs, (std::vector<uint32_t>{ip("192.0.0.9"), ip("192.0.0.10")}));
    EXPECT_EQ(set.blocked, 252u);
    // A /23 half blocked: the 192.88.99.0/24 half is skipped whole (its 254
    // candidates counted), the other half sampled.
    auto half = select_targets({parse_target("192.88.98.0/23")}, Blocklist{}, TargetSelection{.per_24 = 3, .seed = 5});
    ASSERT_EQ(half.addrs.size(), 3u);
    for (uint32_t a : half.addrs) EXPECT_EQ(a >> 8, ip("192.88.98.0") >> 8);
    EXPECT_EQ(half.blocked, 254u);
}

TEST(Targets, OnePerSlash24ByDefault)
{
    Blocklist allow({*parse_prefix("198.18.0.0/15")});
    auto set = select_targets({parse_target("198.19.0.0/20")}, allow, TargetSelection{.seed = 3});
    ASSERT_EQ(set.addrs.size(), 16u);
    std::set<uint32_t> blocks;
    for (uint32_t a : set.addrs) {
        blocks.insert(a >> 8);
        EXPECT_NE(a & 0xff, 0u);
        EXPECT_NE(a & 0xff, 255u);
    }
    EXPECT_EQ(blocks.size(), 16u);
    auto again = select_targets({parse_target("198.19.0.0/20")}, allow, TargetSelection{.seed = 3});
    EXPECT_EQ(again.addrs, set.addrs); // seeded: reproducible
}

TEST(Targets, PerSlash24KAndAllHosts)
{
    Blocklist allow({*parse_prefix("198.18.0.0/15")});
    auto k = select_targets({parse_target("198.19.0.0/22")}, allow, TargetSelection{.per_24 = 5, .seed = 1});
    EXPECT_EQ(k.addrs.size(), 20u);
    auto all = select_targets({parse_target("198.19.0.0/22")}, allow, TargetSelection{.all_hosts = true});
    ASSERT_EQ(all.addrs.size(), 1024u);
    EXPECT_EQ(all.addrs.front(), ip("198.19.0.0"));
    EXPECT_EQ(all.addrs.back(), ip("198.19.3.255"));
    // A prefix smaller than a /24 samples inside itself.
    auto small = select_targets({parse_target("198.19.5.16/30")}, allow, TargetSelection{.per_24 = 10});
    EXPECT_EQ(small.addrs.size(), 4u);
}

TEST(Targets, SingleAddressesStayAndDuplicatesMerge)
{
    auto set = select_targets({parse_target("1.2.3.4"), parse_target("1.2.3.4"), parse_target("5.6.7.8")}, Blocklist{},
                              TargetSelection{});
    EXPECT_EQ(set.addrs, (std::vector<uint32_t>{ip("1.2.3.4"), ip("5.6.7.8")}));
}

TEST(Targets, FullyBlockedSetThrowsNamingTheBlock)
{
    try {
        select_targets({parse_target("10.0.0.0/16"), parse_target("192.168.1.1")}, Blocklist{}, TargetSelection{});
        FAIL() << "expected TargetError";
    } catch (const TargetError &e) {
        EXPECT_NE(std::string(e.what()).find("--allow"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("10.0.0.0/8"), std::string::npos) << e.what();
    }
    EXPECT_THROW(select_targets({}, Blocklist{}, TargetSelection{}), TargetError);
    // Partly blocked: the rest survives and the blocked ones are counted.
    auto set = select_targets({parse_target("10.0.0.1"), parse_target("1.1.1.1")}, Blocklist{}, TargetSelection{});
    EXPECT_EQ(set.addrs.size(), 1u);
    EXPECT_EQ(set.blocked, 1u);
}

TEST(Targets, TooManyTargetsIsAnError)
{
    EXPECT_THROW(select_targets({parse_target("1.0.0.0/8")}, Blocklist{}, TargetSelection{.all_hosts = true, .max_targets = 1000}),
                 TargetError);
}

TEST(Targets, FileWithCommentsAndBadLine)
{
    const std::string path = testing::TempDir() + "/targets.txt";
    {
        std::ofstream f(path);
        f << "# targets\n198.19.1.0/24\n\n  198.19.2.3  # a host\n";
    }
    auto v = read_target_file(path);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[1].len, 32);
    {
        std::ofstream f(path);
        f << "198.19.1.0/24\nnot-an-address\n";
    }
    try {
        read_target_file(path);
        FAIL();
    } catch (const TargetError &e) {
        EXPECT_NE(std::string(e.what()).find(":2:"), std::string::npos) << e.what();
    }
    std::remove(path.c_str());
    EXPECT_THROW(read_target_file("/nonexistent/targets.txt"), TargetError);
}
