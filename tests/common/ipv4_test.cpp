#include "pathmap/ipv4.h"

#include <gtest/gtest.h>

using namespace pathmap;

TEST(Ipv4, ParsesAndFormatsRoundTrip)
{
    auto a = parse_ipv4("198.19.7.255");
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, 0xC61307FFu);
    EXPECT_EQ(format_ipv4(*a), "198.19.7.255");
}

TEST(Ipv4, RejectsMalformedAddresses)
{
    for (const char *bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "a.b.c.d", "1..2.3", "1.2.3.-4", "1234.1.1.1"})
        EXPECT_FALSE(parse_ipv4(bad)) << bad;
}

TEST(Ipv4, PrefixParsingChecksHostBitsAndLength)
{
    auto p = parse_prefix("198.19.0.0/16");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->len, 16);
    EXPECT_EQ(p->size(), 65536u);
    EXPECT_TRUE(p->contains(*parse_ipv4("198.19.255.1")));
    EXPECT_FALSE(p->contains(*parse_ipv4("198.18.255.1")));
    EXPECT_EQ(format_prefix(*p), "198.19.0.0/16");
    EXPECT_FALSE(parse_prefix("198.19.0.1/16"));
    EXPECT_FALSE(parse_prefix("198.19.0.0/33"));
    EXPECT_FALSE(parse_prefix("198.19.0.0/"));
    auto single = parse_prefix("10.0.0.1");
    ASSERT_TRUE(single);
    EXPECT_EQ(single->size(), 1u);
    auto all = parse_prefix("0.0.0.0/0");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->mask(), 0u);
}
