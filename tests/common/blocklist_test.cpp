// The one special-purpose blocklist: what it blocks, what --allow opens,
// whole-range checks and the refusal line.
#include "pathmap/blocklist.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace pathmap;

namespace {

uint32_t ip(const char *s) { return *parse_ipv4(s); }
Ipv4Prefix pfx(const char *s) { return *parse_prefix(s); }

// The ranges the IANA IPv4 Special-Purpose Address Registry marks as not
// globally reachable (or deprecated), plus multicast. 192.0.0.0/24 has two
// reachable holes (MostSpecificRegistryEntryDecides); its edges are blocked.
const char *const kBlocked[] = {
    "0.0.0.0/8",       "10.0.0.0/8",      "100.64.0.0/10",  "127.0.0.0/8",       "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24",    "192.0.0.0/29",    "192.0.0.8/32",    "192.0.0.170/32", "192.0.0.171/32",    "192.0.2.0/24",   "192.88.99.0/24",
    "192.168.0.0/16",  "198.18.0.0/15",   "198.51.100.0/24", "203.0.113.0/24",   "224.0.0.0/4",    "240.0.0.0/4",
    "255.255.255.255/32",
};

bool in_some_blocked_range(uint32_t a)
{
    for (const char *r : kBlocked)
        if (pfx(r).contains(a)) return true;
    return false;
}

} // namespace

TEST(Blocklist, EveryRangeIsBlockedEdgeToEdgeAndItsNeighboursAreNot)
{
    Blocklist def;
    for (const char *r : kBlocked) {
        const Ipv4Prefix p = pfx(r);
        EXPECT_TRUE(def.blocked(p.first())) << r;
        EXPECT_TRUE(def.blocked(p.last())) << r;
        EXPECT_TRUE(def.blocked(p.first() + static_cast<uint32_t>(p.size() / 2))) << r;
        // Just outside the range is open unless another range holds it.
        if (p.first() != 0 && !in_some_blocked_range(p.first() - 1)) {
            EXPECT_FALSE(def.blocked(p.first() - 1)) << r << " lower neighbour";
        }
        if (p.last() != 0xffffffffu && !in_some_blocked_range(p.last() + 1)) {
            EXPECT_FALSE(def.blocked(p.last() + 1)) << r << " upper neighbour";
        }
    }
    for (const char *a : {"1.1.1.1", "8.8.8.8", "100.128.0.1", "172.32.0.1", "192.0.1.1", "192.0.3.1", "192.88.98.255",
                          "192.88.100.0", "198.20.0.1", "223.255.255.255"})
        EXPECT_FALSE(def.blocked(ip(a))) << a;
}

TEST(Blocklist, MostSpecificRegistryEntryDecides)
{
    Blocklist def;
    // 192.0.0.0/24 is blocked, but the registry marks the PCP and TURN
    // anycast addresses inside it globally reachable.
    EXPECT_FALSE(def.blocked(ip("192.0.0.9")));
    EXPECT_FALSE(def.blocked(ip("192.0.0.10")));
    EXPECT_TRUE(def.blocked(ip("192.0.0.11")));
    EXPECT_TRUE(def.blocked(ip("192.0.0.200")));
    EXPECT_EQ(def.reason(ip("192.0.0.8")), "192.0.0.8/32");
    EXPECT_EQ(def.reason(ip("192.0.0.200")), "192.0.0.0/24");
    EXPECT_EQ(def.reason(ip("255.255.255.255")), "255.255.255.255/32");
    EXPECT_EQ(def.reason(ip("255.255.255.254")), "240.0.0.0/4");
    EXPECT_EQ(def.reason(ip("198.19.1.1")), "198.18.0.0/15");
    EXPECT_EQ(def.reason(ip("8.8.8.8")), "");
    // Listed longest first, and a reachable entry only makes sense as a hole.
    auto reg = special_purpose_registry();
    for (size_t i = 1; i < reg.size(); ++i) EXPECT_GE(reg[i - 1].prefix.len, reg[i].prefix.len);
    for (const auto &e : reg) {
        if (!e.globally_reachable) continue;
        bool nested = false;
        for (const auto &outer : reg)
            nested = nested || (!outer.globally_reachable && outer.prefix.len < e.prefix.len && outer.prefix.contains(e.prefix.addr));
        EXPECT_TRUE(nested) << format_prefix(e.prefix);
    }
}

TEST(Blocklist, AllowOpensExactlyWhatItNames)
{
    for (const char *r : kBlocked) {
        const Ipv4Prefix opened = pfx(r);
        Blocklist allow({opened});
        EXPECT_FALSE(allow.blocked(opened.first())) << r;
        EXPECT_FALSE(allow.blocked(opened.last())) << r;
        // Every other range stays closed, unless it lies inside the opened one.
        for (const char *other : kBlocked) {
            const Ipv4Prefix o = pfx(other);
            if (!opened.contains(o.first())) {
                EXPECT_TRUE(allow.blocked(o.first())) << "--allow " << r << " opened " << other;
            }
            if (!opened.contains(o.last())) {
                EXPECT_TRUE(allow.blocked(o.last())) << "--allow " << r << " opened " << other;
            }
        }
    }
    // A part of a block opens only that part.
    Blocklist host({pfx("10.1.2.3/32")});
    EXPECT_FALSE(host.blocked(ip("10.1.2.3")));
    EXPECT_TRUE(host.blocked(ip("10.1.2.2")));
    EXPECT_TRUE(host.blocked(ip("10.1.2.4")));
    Blocklist half({pfx("198.18.0.0/16")});
    EXPECT_FALSE(half.blocked(ip("198.18.255.255")));
    EXPECT_TRUE(half.blocked(ip("198.19.0.0")));
    EXPECT_TRUE(half.blocked(ip("198.19.1.1")));
    // Opening something outside every block changes nothing.
    Blocklist unrelated({pfx("8.8.8.0/24")});
    for (const char *r : kBlocked) EXPECT_TRUE(unrelated.blocked(pfx(r).first())) << r;
}

TEST(Blocklist, BlocksAllIsExactOverRanges)
{
    Blocklist def;
    EXPECT_TRUE(def.blocks_all(pfx("10.0.0.0/24")));
    EXPECT_TRUE(def.blocks_all(pfx("10.0.0.0/8")));
    EXPECT_TRUE(def.blocks_all(pfx("192.88.99.0/24")));
    EXPECT_TRUE(def.blocks_all(pfx("192.0.0.0/29")));
    EXPECT_FALSE(def.blocks_all(pfx("192.0.0.0/24"))); // .9 and .10 are reachable
    EXPECT_TRUE(def.blocks_all(pfx("192.0.0.128/25")));
    EXPECT_TRUE(def.blocks_all(pfx("224.0.0.0/3")));   // multicast + reserved, two entries
    EXPECT_FALSE(def.blocks_all(pfx("8.8.8.0/24")));
    EXPECT_FALSE(def.blocks_all(pfx("0.0.0.0/0")));
    EXPECT_FALSE(def.blocks_all(pfx("198.16.0.0/13"))); // partly benchmarking
    EXPECT_TRUE(def.blocks_all(pfx("255.255.255.255/32")));
    EXPECT_FALSE(def.blocks_all(pfx("192.0.0.9/32")));
    Blocklist hole({pfx("10.0.0.7/32")});
    EXPECT_FALSE(hole.blocks_all(pfx("10.0.0.0/24")));
    EXPECT_TRUE(hole.blocks_all(pfx("10.0.1.0/24")));
    Blocklist whole({pfx("198.18.0.0/15")});
    EXPECT_FALSE(whole.blocks_all(pfx("198.19.1.0/24")));
}

TEST(Blocklist, RefusalIsOneLineNamingTheBlockAndTheFix)
{
    Blocklist def;
    EXPECT_EQ(def.refusal(ip("192.88.99.1")),
              "target 192.88.99.1 is in 192.88.99.0/24 (deprecated 6to4 relay anycast, RFC 7526), a special-purpose "
              "block: pass --allow 192.88.99.0/24 to probe it");
    EXPECT_EQ(def.refusal(ip("10.9.8.7")),
              "target 10.9.8.7 is in 10.0.0.0/8 (private use, RFC 1918), a special-purpose block: pass --allow "
              "10.0.0.0/8 to probe it");
    EXPECT_EQ(def.refusal(ip("8.8.8.8")), "");
    for (const char *r : kBlocked) {
        std::string line = def.refusal(pfx(r).first());
        EXPECT_EQ(line.find('\n'), std::string::npos) << line;
        EXPECT_NE(line.find("--allow "), std::string::npos) << line;
    }
    Blocklist custom({pfx("198.19.0.0/16")}, {});
    EXPECT_TRUE(custom.blocked(ip("198.19.3.4")));
    EXPECT_FALSE(custom.blocked(ip("10.0.0.1")));
    EXPECT_EQ(custom.refusal(ip("198.19.3.4")),
              "target 198.19.3.4 is in 198.19.0.0/16 (blocked), a special-purpose block: pass --allow 198.19.0.0/16 to probe it");
}

TEST(Blocklist, AllowListParsesStrictly)
{
    auto v = parse_allow_list({"198.18.0.0/15", "10.1.2.3"});
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(format_prefix(v[0]), "198.18.0.0/15");
    EXPECT_EQ(v[1].len, 32);
    EXPECT_TRUE(parse_allow_list({}).empty());
    for (const char *bad : {"10.0.0.1/8", "10.0.0.0/33", "ten", ""}) {
        try {
            parse_allow_list({"198.18.0.0/15", bad});
            FAIL() << bad;
        } catch (const std::invalid_argument &e) {
            EXPECT_EQ(std::string(e.what()), std::string("--allow ") + bad + ": not a CIDR prefix (host bits must be zero)");
        }
    }
}
