// Classifies the hops of one stored path with the rules (rules.h): role,
// layer, scope, evidence, tags, region, reliability, distance usability, and
// the trace-level summary that goes into profiles.jsonl.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/location_db.h"
#include "graph/prefix_table.h"
#include "graph/rules.h"
#include "graph/topology_builder.h"

namespace pathmap::graph {

struct HopProfile {
    int index = 0;            // TTL
    VertexId vertex = kNoVertex;
    std::string ip;           // empty for a silent hop
    std::string hostname;
    double rtt_ms = 0.0;
    bool responded = false;
    HopRole role = HopRole::unknown;
    std::string rule;         // name of the deciding rule
    std::string evidence;
    double confidence = 0.0;  // of the deciding rule
    std::string layer;
    Scope scope = Scope::unknown;
    std::vector<std::string> tags;
    double reliability = 0.0;
    std::string cluster_id;
    std::string region;
    int64_t asn = 0;
    std::string as_name, country;
    std::optional<double> distance_km;
    bool usable_for_distance = false;
};

struct PathSegment {
    HopRole role = HopRole::unknown;
    std::string layer;
    int from_hop = 0;
    int to_hop = 0;
    std::string region;
};

struct TraceProfile {
    std::string dst;
    std::string vantage; // label of the vantage vertex the trace started at
    uint16_t flow_id = 0;
    bool reached = false;
    int total_hops = 0;
    int usable_distance_hops = 0;
    double estimated_distance_km = 0.0;
    double path_confidence = 0.0;
    std::vector<std::string> notes;
    std::vector<HopProfile> hops;
    std::vector<PathSegment> segments;
};

struct ClassifierContext {
    const RuleSet *rules = nullptr;        // required
    const PrefixTable *pfx2as = nullptr;   // optional
    const PrefixTable *ixp = nullptr;      // optional
    const LocationDb *location = nullptr;  // optional: AS (after pfx2as) and country of public addresses
};

class HopClassifier {
public:
    HopClassifier(const TopologyBuilder &builder, ClassifierContext ctx);
    TraceProfile classify(size_t path_index) const;

    // Per-vertex evidence independent of any path, computed once.
    struct VertexFeatures {
        bool ready = false;
        AddrClass cls = AddrClass::public_;
        std::string region; // from a site code or a domain in the name
        std::string domain; // last two labels of the name
        int64_t asn = 0;
        std::string as_name, country; // from the location database
        bool ixp = false;
        std::vector<char> regex_hits; // per role rule with rdns_regex, then per tag rule
    };
    const VertexFeatures &features(VertexId v) const;

private:
    bool matches(const RuleCondition &c, size_t rule_slot, size_t i, const struct PathView &p,
                 const std::vector<HopProfile> &hops, const std::vector<char> &assigned) const;

    const TopologyBuilder &b_;
    ClassifierContext ctx_;
    mutable std::vector<VertexFeatures> features_;
};

} // namespace pathmap::graph
