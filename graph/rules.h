// Hop-role rules as data: the built-in default_roles.json (embedded at build
// time) optionally extended or replaced by a user file. The classifier
// (hop_classifier.h) evaluates them; nothing here knows about paths.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "graph/topology_types.h"

namespace pathmap::graph {

// Address classes a condition can name.
// unknown: a hop known by its name only (mtr or tracepath without -n), whose
// address was never printed; no address rule can say anything about it.
enum class AddrClass : uint8_t { public_, rfc1918, shared, loopback, link_local, multicast, bogon, unknown };
const char *addr_class_name(AddrClass c);
AddrClass classify_address(uint32_t host_order);

struct RuleCondition {
    std::optional<bool> is_destination;
    std::vector<AddrClass> addr_class;     // any of
    std::optional<std::regex> rdns_regex;  // case-insensitive, searched in the hop's name
    std::string rdns_regex_text;
    std::optional<int> ttl_min, ttl_max;
    std::optional<int> position_min, position_max; // 1-based among responding hops
    std::optional<bool> rtt_jump;          // rtt - previous responding rtt >= thresholds.rtt_jump_ms
    std::optional<bool> rtt_spike;         // rtt > factor x both responding neighbours and >= min
    std::optional<bool> region_change;
    std::optional<bool> mpls;
    std::optional<int> quoted_ttl_min;
    std::optional<bool> ixp;
    std::optional<bool> asn_change;
    std::optional<bool> last_nonpublic;    // not public, next responding hop public
    std::vector<HopRole> after_role, next_role, prev_role, same_domain_as_role;
};

struct RoleRule {
    std::string name;
    HopRole role = HopRole::unknown;       // role rules only
    std::vector<std::string> tags;         // tag rules only
    double confidence = 0.5;
    std::string evidence;
    RuleCondition cond;
};

struct RoleInfo {
    std::string layer = "unknown";
    Scope scope_private = Scope::private_;
    Scope scope_public = Scope::public_;
    bool usable_for_distance = false;
};

struct RuleThresholds {
    double rtt_jump_ms = 60;
    double rtt_spike_factor = 3.0;
    double rtt_spike_min_ms = 50;
    double rtt_inversion_tolerance_ms = 10;
    double km_per_rtt_ms = 100; // light in fibre, ~200 km/ms one way
};

struct RuleSet {
    RuleThresholds thresholds;
    RoleInfo roles[kHopRoleCount];
    std::map<std::string, std::string> region_codes;   // lower-case site code -> region
    std::map<std::string, std::string> domain_regions; // name suffix -> region
    std::optional<std::regex> asn_from_rdns;
    std::optional<std::regex> alias_from_rdns;
    std::vector<RoleRule> rules;
    std::vector<RoleRule> tag_rules;
    std::vector<std::string> sources; // where the rules came from, for provenance

    const RoleInfo &role(HopRole r) const { return roles[static_cast<int>(r)]; }
};

// The text of graph/rules/default_roles.json as compiled into the binary.
const char *default_rules_text();

// Throws std::runtime_error naming the source and the offending rule/key.
RuleSet parse_rules(const std::string &json_text, const std::string &source_name);
RuleSet default_rules();
// Loads a user file on top of the defaults: rules are prepended (so they win)
// and tables merged, unless the file says "mode": "replace" or extend=false.
RuleSet load_rules(const std::filesystem::path &file, bool extend = true);

} // namespace pathmap::graph
