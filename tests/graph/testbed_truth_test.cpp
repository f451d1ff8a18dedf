// The default testbed's ground truth (tests/data/graph/testbed_default_truth.json,
// written by `scripts/testbed up tests/topologies/default.json`): traces built
// from its per-prefix forwarding paths must give its CGNAT and private
// segments as clusters, diamonds at its ECMP routers, and chokepoints equal to
// an independent remove-and-search count over the truth's own paths.
#include <fstream>
#include <map>
#include <queue>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "graph/topology_analysis.h"
#include "graph/topology_annotator.h"
#include "pathmap/ipv4.h"

using namespace pathmap;
using namespace pathmap::graph;
using nlohmann::json;

namespace {

struct TruthGraph : ::testing::Test {
    json truth;
    std::vector<Trace> traces;
    TopologyBuilder builder;

    void SetUp() override
    {
        std::ifstream in(std::string(PATHMAP_TEST_DATA) + "/graph/testbed_default_truth.json");
        ASSERT_TRUE(in);
        truth = json::parse(in);
        uint16_t flow = 0;
        for (const json &t : truth["targets"]) {
            if (t["kind"] != "sink") continue;
            Ipv4Prefix p = *parse_prefix(t["prefix"].get<std::string>());
            for (const json &path : t["paths"]) {
                Trace tr;
                tr.dst = format_ipv4(p.addr + 1);
                tr.flow_id = ++flow;
                tr.reached = true;
                int ttl = 0;
                for (const json &a : path) {
                    ++ttl;
                    Hop h;
                    h.ttl = static_cast<uint8_t>(ttl);
                    if (a.is_null()) { // a silent router: probed, no answer
                        tr.hops.push_back(h);
                        continue;
                    }
                    h.addr = a.get<std::string>();
                    h.rtt_ms = ttl;
                    tr.hops.push_back(h);
                }
                Hop d;
                d.ttl = static_cast<uint8_t>(t["destination_hop"].get<int>());
                d.addr = tr.dst;
                d.rtt_ms = d.ttl;
                tr.hops.push_back(d);
                traces.push_back(tr);
            }
        }
        ASSERT_GT(traces.size(), 200u);
        builder.add(traces);
        builder.finish();
    }
};

TEST_F(TruthGraph, CgnatAndPrivateSegmentsAreClusters)
{
    RuleSet rules = default_rules();
    HopClassifier c(builder, {.rules = &rules});
    Annotation a = annotate_topology(builder, c, rules);
    const TopologyGraph &g = builder.graph();
    std::set<std::string> cgnat_truth, private_truth;
    std::set<std::string> on_paths;
    for (const Trace &t : traces)
        for (const Hop &h : t.hops)
            if (!h.addr.empty()) on_paths.insert(h.addr);
    for (const json &x : truth["cgnat_addresses"])
        if (on_paths.count(x.get<std::string>())) cgnat_truth.insert(x.get<std::string>());
    for (const json &x : truth["private_addresses"])
        if (on_paths.count(x.get<std::string>())) private_truth.insert(x.get<std::string>());
    ASSERT_FALSE(cgnat_truth.empty());
    ASSERT_FALSE(private_truth.empty());
    std::map<ClusterKind, std::vector<std::set<std::string>>> found;
    for (const ClusterRecord &cl : a.clusters) {
        std::set<std::string> addrs;
        for (VertexId m : cl.members)
            if (g.vertex(m).kind == VertexKind::interface) addrs.insert(format_ipv4(g.vertex(m).addr));
        found[cl.kind].push_back(addrs);
    }
    ASSERT_EQ(found[ClusterKind::cgnat].size(), 1u);
    EXPECT_EQ(found[ClusterKind::cgnat][0], cgnat_truth);
    ASSERT_EQ(found[ClusterKind::private_backbone].size(), 1u);
    EXPECT_EQ(found[ClusterKind::private_backbone][0], private_truth);
    // The silent private router (p2) sits inside the private cluster.
    bool anon_inside = false;
    for (const ClusterRecord &cl : a.clusters)
        if (cl.kind == ClusterKind::private_backbone)
            for (VertexId m : cl.members) anon_inside |= g.vertex(m).kind == VertexKind::anonymous;
    EXPECT_TRUE(anon_inside);
    // A diamond opens at each ECMP router's reply address.
    std::set<std::string> ecmp_addrs;
    for (const json &r : truth["routers"])
        for (const json &e : truth["ecmp_routers"])
            if (r["name"] == e) ecmp_addrs.insert(r["reply_addr"].get<std::string>());
    std::set<std::string> diamond_members;
    for (auto &s : found[ClusterKind::ecmp_diamond]) diamond_members.insert(s.begin(), s.end());
    for (const std::string &addr : ecmp_addrs) {
            EXPECT_TRUE(diamond_members.count(addr)) << addr;
        }
    EXPECT_GE(found[ClusterKind::ecmp_diamond].size(), ecmp_addrs.size());
}

TEST_F(TruthGraph, ChokepointsMatchRemoveAndSearchOverTruth)
{
    // Independent model: nodes are reply addresses and silent routers (keyed
    // like the builder does, by neighbours), edges from the truth's paths.
    std::map<std::string, std::set<std::string>> adj;
    std::map<std::string, std::set<std::string>> prefix_last_hops;
    for (const Trace &t : traces) {
        std::string prev = "vantage";
        int prev_ttl = 0;
        std::string prev_resp = "vantage";
        for (const Hop &h : t.hops) {
            if (h.addr.empty()) continue;        // placed by the gap loop below
            if (h.addr == t.dst) break;          // destinations fold into their prefix
            for (int gap = prev_ttl + 1; gap < h.ttl; ++gap) {
                std::string anon = "*" + prev_resp + ">" + h.addr + "#" + std::to_string(gap - prev_ttl);
                adj[prev].insert(anon);
                prev = anon;
            }
            adj[prev].insert(h.addr);
            prev = prev_resp = h.addr;
            prev_ttl = h.ttl;
        }
        Ipv4Prefix p{.addr = *parse_ipv4(t.dst) & 0xffffff00u, .len = 24};
        adj[prev].insert("P" + format_prefix(p));
    }
    std::set<std::string> nodes, prefixes;
    for (auto &[a, bs] : adj) {
        nodes.insert(a);
        for (auto &b : bs) (b[0] == 'P' ? prefixes : nodes).insert(b);
    }
    auto reachable_prefixes = [&](const std::string &removed) {
        std::set<std::string> seen{"vantage"};
        std::queue<std::string> q;
        q.push("vantage");
        size_t count = 0;
        while (!q.empty()) {
            std::string u = q.front();
            q.pop();
            for (const std::string &w : adj[u]) {
                if (w == removed || seen.count(w)) continue;
                seen.insert(w);
                if (w[0] == 'P') ++count;
                else q.push(w);
            }
        }
        return count;
    };
    size_t all = reachable_prefixes("");
    ASSERT_EQ(all, prefixes.size());
    std::map<std::string, size_t> expected;
    for (const std::string &n : nodes) {
        if (n == "vantage" || n[0] == '*') continue;
        size_t cut = all - reachable_prefixes(n);
        if (cut) expected[n] = cut;
    }
    std::map<std::string, size_t> got;
    for (const Chokepoint &c : find_chokepoints(builder))
        if (builder.graph().vertex(c.vertex).kind == VertexKind::interface) got[c.label] = c.prefixes_behind;
    EXPECT_EQ(got, expected);
    // The prober's first router carries every prefix.
    EXPECT_EQ(got[truth["prober"]["gateway"].get<std::string>()], prefixes.size());
}

} // namespace
