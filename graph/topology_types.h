// Plain data carried by the topology graph's vertices and edges. Kept apart
// from topology_graph.h so readers, classifiers and exporters can use them
// without seeing how the graph is stored.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace pathmap::graph {

using VertexId = uint32_t;
inline constexpr VertexId kNoVertex = std::numeric_limits<VertexId>::max();

enum class VertexKind : uint8_t { interface, anonymous, router, cluster, region, prefix, vantage };
enum class EdgeKind : uint8_t { link, member_of, located_in, reaches };

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

struct VertexInfo {
    VertexKind kind = VertexKind::interface;
    uint32_t addr = 0;        // host order; interface vertices only
    std::string label;        // what Gephi shows: address, name, prefix, cluster id
    std::string rdns;         // PTR name when known
    HopRole role = HopRole::unknown;
    Scope scope = Scope::unknown;
    ClusterKind cluster_kind = ClusterKind::none; // cluster vertices only
    std::string layer;
    std::string region;       // country or city code when known
    std::string evidence;     // "; "-joined reasons for the role
    int64_t asn = 0;          // 0 = unknown
    uint32_t times_seen = 0;  // replies (interface) or silent slots (anonymous)
    uint32_t traces = 0;      // traces that crossed this vertex
    uint8_t min_ttl = 255;
    uint8_t max_ttl = 0;
    double rtt_min_ms = 0.0;
    double rtt_sum_ms = 0.0;
    double rtt_sumsq_ms = 0.0;
    double reliability = 0.0; // [0, 1], see docs/GRAPH.md
    uint32_t modal_ttl_hits = 0; // observations at the most common TTL (consistency)
};

struct EdgeInfo {
    EdgeKind kind = EdgeKind::link;
    uint32_t times_seen = 0;   // link/reaches: path observations; becomes Gephi's weight
    uint8_t min_ttl = 255;     // TTL of the near end when seen
    uint8_t max_ttl = 0;
    uint32_t flows = 0;        // distinct (dst, flow) pairs, counted once per trace
    double min_rtt_delta_ms = std::numeric_limits<double>::infinity(); // far minus near RTT
};

} // namespace pathmap::graph
