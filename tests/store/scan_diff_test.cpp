// pathmap diff's comparison: hops added and removed, a changed last hop,
// newly unreachable and reachable, a changed distance, flows merged, TTLs
// one scan did not probe never counted as a change, destinations in one
// scan only listed apart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "userspace/store/scan_diff.h"

namespace pathmap::store
{
namespace
{

// A trace from "addr" per TTL starting at first_ttl: "" = probed, silent.
Trace trace(const std::string &dst, std::vector<std::string> addrs, uint16_t flow = 0, uint8_t first_ttl = 1)
{
    Trace t{.dst = dst, .flow_id = flow, .first_ttl = first_ttl};
    uint8_t ttl = first_ttl;
    for (auto &a : addrs) {
        if (a == dst) t.reached = true;
        t.hops.push_back(Hop{.ttl = ttl++, .addr = std::move(a)});
    }
    return t;
}

const DestinationChange *find(const ScanDiff &d, const std::string &dst)
{
    for (const auto &c : d.changed)
        if (c.dst == dst) return &c;
    return nullptr;
}

TEST(ScanDiff, SamePathsNoChange)
{
    const std::vector<Trace> a = {trace("198.19.1.7", {"10.0.0.1", "10.0.1.1", "198.19.1.7"}),
                                  trace("198.19.2.9", {"10.0.0.1", "", "10.0.2.1"})};
    const auto d = diff_scans(a, a);
    EXPECT_EQ(d.compared, 2u);
    EXPECT_TRUE(d.changed.empty());
    EXPECT_TRUE(d.only_in_a.empty());
    EXPECT_TRUE(d.only_in_b.empty());
}

TEST(ScanDiff, RerouteAddsAndRemovesHops)
{
    const std::vector<Trace> a = {trace("198.19.1.7", {"10.0.0.1", "10.0.1.1", "10.0.9.1", "198.19.1.7"})};
    const std::vector<Trace> b = {trace("198.19.1.7", {"10.0.0.1", "10.0.2.1", "10.0.9.1", "198.19.1.7"})};
    const auto d = diff_scans(a, b);
    ASSERT_EQ(d.changed.size(), 1u);
    const auto &c = d.changed[0];
    EXPECT_EQ(c.added, std::vector<std::string>{"10.0.2.1"});
    EXPECT_EQ(c.removed, std::vector<std::string>{"10.0.1.1"});
    EXPECT_FALSE(c.last_hop_changed); // 10.0.9.1 both times
    EXPECT_EQ(c.kinds(), (std::vector<std::string>{"hops_added", "hops_removed"}));
    EXPECT_EQ(c.a.distance, 4);
}

TEST(ScanDiff, NewlyUnreachableAndLastHop)
{
    const std::vector<Trace> a = {trace("198.19.3.1", {"10.0.0.1", "10.0.1.1", "198.19.3.1"})};
    const std::vector<Trace> b = {trace("198.19.3.1", {"10.0.0.1", "", "", ""})};
    const auto d = diff_scans(a, b);
    const auto *c = find(d, "198.19.3.1");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->newly_unreachable);
    EXPECT_FALSE(c->newly_reachable);
    EXPECT_EQ(c->removed, std::vector<std::string>{"10.0.1.1"});
    EXPECT_TRUE(c->last_hop_changed);
    EXPECT_EQ(c->b.last_hops, std::vector<std::string>{"10.0.0.1"});
    EXPECT_EQ(c->kinds(),
              (std::vector<std::string>{"hops_removed", "last_hop_changed", "newly_unreachable"}));
    // The other way round: newly reachable.
    const auto back = diff_scans(b, a);
    ASSERT_EQ(back.changed.size(), 1u);
    EXPECT_TRUE(back.changed[0].newly_reachable);
    EXPECT_EQ(back.changed[0].added, std::vector<std::string>{"10.0.1.1"});
}

TEST(ScanDiff, LongerPathChangesDistance)
{
    const std::vector<Trace> a = {trace("198.19.1.7", {"10.0.0.1", "10.0.9.1", "198.19.1.7"})};
    // A silent router inserted: same addresses, one more TTL.
    const std::vector<Trace> b = {trace("198.19.1.7", {"10.0.0.1", "", "10.0.9.1", "198.19.1.7"})};
    const auto d = diff_scans(a, b);
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0].kinds(), std::vector<std::string>{"distance_changed"});
    EXPECT_EQ(d.changed[0].a.distance, 3);
    EXPECT_EQ(d.changed[0].b.distance, 4);
}

TEST(ScanDiff, UnprobedTtlsAreNoChange)
{
    // Scan b's trace started at TTL 3 (its stop set): 10.0.0.1 and 10.0.1.1
    // were not asked, so they are not removed.
    const std::vector<Trace> a = {trace("198.19.1.7", {"10.0.0.1", "10.0.1.1", "10.0.9.1", "198.19.1.7"})};
    const std::vector<Trace> b = {trace("198.19.1.7", {"10.0.9.1", "198.19.1.7"}, 0, 3)};
    EXPECT_TRUE(diff_scans(a, b).changed.empty());
    EXPECT_TRUE(diff_scans(b, a).changed.empty());
    // But where b did probe and found another address, that is a change.
    const std::vector<Trace> c = {trace("198.19.1.7", {"10.0.5.1", "10.0.9.1", "198.19.1.7"}, 0, 2)};
    const auto d = diff_scans(a, c);
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0].removed, std::vector<std::string>{"10.0.1.1"});
    EXPECT_EQ(d.changed[0].added, std::vector<std::string>{"10.0.5.1"});
}

TEST(ScanDiff, FlowsMergeIntoOnePath)
{
    // Two flows over two branches in a; in b the same branches, flows swapped.
    const std::vector<Trace> a = {trace("198.19.1.7", {"10.0.0.1", "10.0.1.1", "198.19.1.7"}, 0),
                                  trace("198.19.1.7", {"10.0.0.1", "10.0.2.1", "198.19.1.7"}, 1)};
    const std::vector<Trace> b = {trace("198.19.1.7", {"10.0.0.1", "10.0.2.1", "198.19.1.7"}, 0),
                                  trace("198.19.1.7", {"10.0.0.1", "10.0.1.1", "198.19.1.7"}, 1)};
    EXPECT_TRUE(diff_scans(a, b).changed.empty());
    // One branch gone: removed, and the set of last hops changed.
    const std::vector<Trace> one = {b[0], trace("198.19.1.7", {"10.0.0.1", "10.0.2.1", "198.19.1.7"}, 1)};
    const auto d = diff_scans(a, one);
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0].removed, std::vector<std::string>{"10.0.1.1"});
    EXPECT_EQ(d.changed[0].a.last_hops, (std::vector<std::string>{"10.0.1.1", "10.0.2.1"}));
    EXPECT_TRUE(d.changed[0].last_hop_changed);
}

TEST(ScanDiff, DestinationsInOneScanOnlyAreListedApartSortedByAddress)
{
    const std::vector<Trace> a = {trace("198.19.10.1", {"10.0.0.1"}), trace("198.19.2.1", {"10.0.0.1"}),
                                  trace("198.19.3.1", {"10.0.0.1"})};
    const std::vector<Trace> b = {trace("198.19.3.1", {"10.0.0.1"}), trace("198.19.4.1", {"10.0.0.1"})};
    const auto d = diff_scans(a, b);
    EXPECT_EQ(d.compared, 1u);
    EXPECT_EQ(d.only_in_a, (std::vector<std::string>{"198.19.2.1", "198.19.10.1"}));
    EXPECT_EQ(d.only_in_b, std::vector<std::string>{"198.19.4.1"});
    const auto j = to_json(DestinationChange{.dst = "198.19.3.1", .newly_unreachable = true});
    EXPECT_EQ(j["changes"], nlohmann::ordered_json::array({"newly_unreachable"}));
    EXPECT_TRUE(j["a"]["distance"].is_null());
}

} // namespace
} // namespace pathmap::store
