// Plain data carried by the topology graph's vertices and edges. Kept apart
// from topology_graph.h so readers, classifiers and exporters can use them
// without seeing how the graph is stored.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "graph/shared_text.h"

namespace pathmap::graph {

using VertexId = uint32_t;
inline constexpr VertexId kNoVertex = std::numeric_limits<VertexId>::max();

// autonomous_system: one per AS an interface belongs to (graph/as_layer.h),
// joined to its interfaces by in_as; as_link joins two ASes a link crosses.
enum class VertexKind : uint8_t { interface, anonymous, router, cluster, region, prefix, vantage, autonomous_system };
enum class EdgeKind : uint8_t { link, member_of, located_in, reaches, in_as, as_link };
inline constexpr int kEdgeKindCount = 6;

// Hop roles, in the order the rules file and the docs list them.
enum class HopRole : uint8_t {
    unknown,
    cpe,
    rf_link,
    packet_core,
    cgnat,
    private_backbone,
    mpls_backbone,
    access_router,
    peering_edge,
    ixp,
    transit,
    international_transit,
    destination,
};
inline constexpr int kHopRoleCount = 13;

enum class Scope : uint8_t { unknown, local, private_, provider, public_ };

enum class ClusterKind : uint8_t { none, cgnat, private_backbone, mpls_backbone, ecmp_diamond, same_as };

const char *vertex_kind_name(VertexKind k);
const char *edge_kind_name(EdgeKind k);
const char *hop_role_name(HopRole r);
const char *scope_name(Scope s);
const char *cluster_kind_name(ClusterKind k);
// Inverse of hop_role_name; false when the name is not a role.
bool parse_hop_role(std::string_view name, HopRole &out);
bool parse_scope(std::string_view name, Scope &out);

// Laid out for size (128 bytes, a 10M-reply sweep has over a million of
// these) and so that what every reply updates shares the first cache line.
// label stays a std::string because an IPv4 address fits its inline buffer;
// the other texts repeat or are mostly absent, so they are pooled.
struct VertexInfo {
    VertexKind kind = VertexKind::interface;
    HopRole role = HopRole::unknown;
    Scope scope = Scope::unknown;
    ClusterKind cluster_kind = ClusterKind::none; // cluster vertices only
    uint8_t min_ttl = 255;
    uint8_t max_ttl = 0;
    uint32_t addr = 0;        // host order; interface vertices only
    uint32_t times_seen = 0;  // replies (interface) or silent slots (anonymous)
    uint32_t traces = 0;      // traces that crossed this vertex
    uint32_t modal_ttl_hits = 0; // observations at the most common TTL (consistency)
    uint32_t rtt_samples = 0; // replies with a measured RTT (Atlas "late" ones have none)
    double rtt_min_ms = 0.0;  // over the rtt_samples
    double rtt_sum_ms = 0.0;
    double rtt_sumsq_ms = 0.0;
    int64_t asn = 0;          // 0 = unknown
    double reliability = 0.0; // [0, 1], see docs/GRAPH.md
    std::string label;        // what Gephi shows: address, name, prefix, cluster id
    SharedText rdns;          // PTR name when known
    SharedText layer;
    SharedText region;        // country or city code when known
    SharedText evidence;      // "; "-joined reasons for the role
    SharedText as_name;       // owner of asn, from the location database
    SharedText country;       // ISO 3166 code of the address's network, from the location database
};

// 16 bytes: one per distinct link of a sweep (millions).
struct EdgeInfo {
    EdgeKind kind = EdgeKind::link;
    uint8_t min_ttl = 255;     // TTL of the near end when seen
    uint8_t max_ttl = 0;
    // TTLs between the two ends that no trace probed (smallest seen; 0 = the
    // ends were seen at adjacent TTLs, or through probed silent hops).
    uint8_t ttl_gap = 255;     // 255 = not set yet
    uint32_t times_seen = 0;   // link/reaches: path observations; becomes Gephi's weight
    uint32_t flows = 0;        // distinct (dst, flow) pairs, counted once per trace
    // Far minus near RTT. float: both RTTs arrive as float, so a float holds
    // every value a double did.
    float min_rtt_delta_ms = std::numeric_limits<float>::infinity();
};

// What a prefix vertex sums up: the destinations of its prefix that traces
// probed, those that answered, and the RTT range of their answers.
struct PrefixStats {
    uint32_t hosts_probed = 0;
    uint32_t hosts_reached = 0;
    float rtt_min_ms = std::numeric_limits<float>::infinity();
    float rtt_max_ms = 0.0f;
};

} // namespace pathmap::graph
