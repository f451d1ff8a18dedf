// Names of the graph's enums as they appear in files, rules and reports.
#include "graph/topology_types.h"

#include <array>

namespace pathmap::graph {

namespace {
constexpr std::array<const char *, kHopRoleCount> kRoleNames = {
    "unknown", "cpe",     "rf_link", "packet_core",           "cgnat",      "private_backbone", "mpls_backbone",
    "access_router", "peering_edge", "ixp", "transit", "international_transit", "destination"};
constexpr std::array<const char *, 5> kScopeNames = {"unknown", "local", "private", "provider", "public"};
} // namespace

const char *vertex_kind_name(VertexKind k)
{
    static constexpr std::array<const char *, 8> names = {"interface", "anonymous", "router",  "cluster",
                                                          "region",    "prefix",    "vantage", "as"};
    return names[static_cast<size_t>(k)];
}

const char *edge_kind_name(EdgeKind k)
{
    static constexpr std::array<const char *, kEdgeKindCount> names = {"link",    "member_of", "located_in",
                                                          "reaches", "in_as",     "as_link"};
    return names[static_cast<size_t>(k)];
}

const char *hop_role_name(HopRole r) { return kRoleNames[static_cast<size_t>(r)]; }
const char *scope_name(Scope s) { return kScopeNames[static_cast<size_t>(s)]; }

const char *cluster_kind_name(ClusterKind k)
{
    static constexpr std::array<const char *, 6> names = {"none",          "cgnat",        "private_backbone",
                                                          "mpls_backbone", "ecmp_diamond", "same_as"};
    return names[static_cast<size_t>(k)];
}

bool parse_hop_role(std::string_view name, HopRole &out)
{
    for (size_t i = 0; i < kRoleNames.size(); ++i)
        if (name == kRoleNames[i]) {
            out = static_cast<HopRole>(i);
            return true;
        }
    return false;
}

bool parse_scope(std::string_view name, Scope &out)
{
    for (size_t i = 0; i < kScopeNames.size(); ++i)
        if (name == kScopeNames[i]) {
            out = static_cast<Scope>(i);
            return true;
        }
    return false;
}

} // namespace pathmap::graph
