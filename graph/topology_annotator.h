// Finishing a built topology: per-vertex roles (majority over the paths that
// cross it), evidence, region, ASN and reliability; cluster incidence
// vertices (CGNAT spans, private and MPLS backbone spans, ECMP diamonds,
// same-AS segments) and router alias sets from rDNS.
#pragma once

#include <string>
#include <vector>

#include "graph/hop_classifier.h"

namespace pathmap::graph {

struct ClusterRecord {
    std::string id;           // "cgnat-1", "ecmp-2", ...
    ClusterKind kind = ClusterKind::none;
    VertexId vertex = kNoVertex;
    std::vector<VertexId> members;
    int64_t asn = 0;          // same_as clusters
};

struct Annotation {
    std::vector<ClusterRecord> clusters;
    std::vector<int> primary_cluster; // per vertex: index into clusters or -1
    size_t routers = 0;
};

// Classifies every path once, writes roles into the graph's vertices and adds
// cluster and router vertices. Call once, after the last add().
Annotation annotate_topology(TopologyBuilder &builder, const HopClassifier &classifier, const RuleSet &rules);

// The clusters a profile's hops belong to, filling hop.cluster_id.
void attach_clusters(TraceProfile &profile, const Annotation &a);

} // namespace pathmap::graph
