// Parsing of the rules file into RuleSet; the default file is embedded by
// CMake as a raw string literal (graph/CMakeLists.txt).
#include "graph/rules.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "graph/default_roles_json.h"

namespace pathmap::graph {

using nlohmann::json;

const char *addr_class_name(AddrClass c)
{
    static constexpr const char *names[] = {"public", "rfc1918", "shared", "loopback", "link_local", "multicast", "bogon", "unknown"};
    return names[static_cast<int>(c)];
}

AddrClass classify_address(uint32_t a)
{
    auto in = [a](uint32_t net, int len) { return (a & (len == 0 ? 0 : ~uint32_t{0} << (32 - len))) == net; };
    if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return AddrClass::rfc1918;
    if (in(0x64400000, 10)) return AddrClass::shared;
    if (in(0x7F000000, 8)) return AddrClass::loopback;
    if (in(0xA9FE0000, 16)) return AddrClass::link_local;
    if (in(0xE0000000, 4)) return AddrClass::multicast;
    // Other bogons: this network, TEST-NETs, benchmarking, reserved.
    if (in(0x00000000, 8) || in(0xC0000000, 24) || in(0xC0000200, 24) || in(0xC6336400, 24) ||
        in(0xCB007100, 24) || in(0xF0000000, 4))
        return AddrClass::bogon;
    return AddrClass::public_;
}

const char *default_rules_text() { return kDefaultRolesJson; }

namespace {

[[noreturn]] void fail(const std::string &src, const std::string &what)
{
    throw std::runtime_error("rules " + src + ": " + what);
}

HopRole role_of(const json &j, const std::string &src, const std::string &where)
{
    HopRole r;
    if (!j.is_string() || !parse_hop_role(j.get<std::string>(), r))
        fail(src, where + ": '" + j.dump() + "' is not a hop role");
    return r;
}

std::vector<HopRole> roles_of(const json &j, const std::string &src, const std::string &where)
{
    std::vector<HopRole> out;
    if (!j.is_array()) fail(src, where + " must be a list of roles");
    for (const json &e : j) out.push_back(role_of(e, src, where));
    return out;
}

std::regex make_regex(const std::string &text, const std::string &src, const std::string &where)
{
    try {
        return std::regex(text, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
    } catch (const std::regex_error &e) {
        fail(src, where + ": bad regular expression '" + text + "': " + e.what());
    }
}

RuleCondition parse_condition(const json &j, const std::string &src, const std::string &rule)
{
    RuleCondition c;
    if (!j.is_object()) fail(src, "rule " + rule + ": \"if\" must be an object");
    for (auto &[key, v] : j.items()) {
        std::string where = "rule " + rule + ", " + key;
        try {
            if (key == "is_destination") c.is_destination = v.get<bool>();
            else if (key == "addr_class") {
                for (const json &e : v) {
                    std::string n = e.get<std::string>();
                    bool found = false;
                    for (int k = 0; k <= static_cast<int>(AddrClass::unknown); ++k)
                        if (n == addr_class_name(static_cast<AddrClass>(k))) {
                            c.addr_class.push_back(static_cast<AddrClass>(k));
                            found = true;
                        }
                    if (!found) fail(src, where + ": unknown address class '" + n + "'");
                }
            } else if (key == "rdns_regex") {
                c.rdns_regex_text = v.get<std::string>();
                c.rdns_regex = make_regex(c.rdns_regex_text, src, where);
            } else if (key == "ttl_min") c.ttl_min = v.get<int>();
            else if (key == "ttl_max") c.ttl_max = v.get<int>();
            else if (key == "position_min") c.position_min = v.get<int>();
            else if (key == "position_max") c.position_max = v.get<int>();
            else if (key == "rtt_jump") c.rtt_jump = v.get<bool>();
            else if (key == "rtt_spike") c.rtt_spike = v.get<bool>();
            else if (key == "region_change") c.region_change = v.get<bool>();
            else if (key == "mpls") c.mpls = v.get<bool>();
            else if (key == "quoted_ttl_min") c.quoted_ttl_min = v.get<int>();
            else if (key == "ixp") c.ixp = v.get<bool>();
            else if (key == "asn_change") c.asn_change = v.get<bool>();
            else if (key == "last_nonpublic") c.last_nonpublic = v.get<bool>();
            else if (key == "after_role") c.after_role = roles_of(v, src, where);
            else if (key == "next_role") c.next_role = roles_of(v, src, where);
            else if (key == "prev_role") c.prev_role = roles_of(v, src, where);
            else if (key == "same_domain_as_role") c.same_domain_as_role = roles_of(v, src, where);
            else fail(src, where + ": unknown condition (docs/GRAPH.md lists them)");
        } catch (const json::exception &e) {
            fail(src, where + ": " + e.what());
        }
    }
    return c;
}

std::vector<RoleRule> parse_rule_list(const json &list, bool tag_rules, const std::string &src)
{
    std::vector<RoleRule> out;
    if (!list.is_array()) fail(src, std::string(tag_rules ? "tag_rules" : "rules") + " must be a list");
    for (const json &j : list) {
        RoleRule r;
        if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) fail(src, "every rule needs a \"name\"");
        r.name = j["name"].get<std::string>();
        if (tag_rules) {
            if (!j.contains("tags") || !j["tags"].is_array()) fail(src, "tag rule " + r.name + " needs \"tags\"");
            r.tags = j["tags"].get<std::vector<std::string>>();
        } else {
            if (!j.contains("role")) fail(src, "rule " + r.name + " needs a \"role\"");
            r.role = role_of(j["role"], src, "rule " + r.name);
        }
        r.confidence = j.value("confidence", 0.5);
        if (!(r.confidence >= 0.0 && r.confidence <= 1.0)) fail(src, "rule " + r.name + ": confidence must be in [0, 1]");
        r.evidence = j.value("evidence", r.name);
        r.cond = parse_condition(j.value("if", json::object()), src, r.name);
        out.push_back(std::move(r));
    }
    return out;
}

void apply_tables(RuleSet &rs, const json &j, const std::string &src)
{
    if (j.contains("thresholds")) {
        const json &t = j["thresholds"];
        rs.thresholds.rtt_jump_ms = t.value("rtt_jump_ms", rs.thresholds.rtt_jump_ms);
        rs.thresholds.rtt_spike_factor = t.value("rtt_spike_factor", rs.thresholds.rtt_spike_factor);
        rs.thresholds.rtt_spike_min_ms = t.value("rtt_spike_min_ms", rs.thresholds.rtt_spike_min_ms);
        rs.thresholds.rtt_inversion_tolerance_ms =
            t.value("rtt_inversion_tolerance_ms", rs.thresholds.rtt_inversion_tolerance_ms);
        rs.thresholds.km_per_rtt_ms = t.value("km_per_rtt_ms", rs.thresholds.km_per_rtt_ms);
    }
    if (j.contains("roles")) {
        for (auto &[name, v] : j["roles"].items()) {
            HopRole r = role_of(json(name), src, "roles");
            RoleInfo &info = rs.roles[static_cast<int>(r)];
            info.layer = v.value("layer", info.layer);
            if (v.contains("scope_private") && !parse_scope(v["scope_private"].get<std::string>(), info.scope_private))
                fail(src, "roles." + name + ".scope_private: unknown scope");
            if (v.contains("scope_public") && !parse_scope(v["scope_public"].get<std::string>(), info.scope_public))
                fail(src, "roles." + name + ".scope_public: unknown scope");
            info.usable_for_distance = v.value("usable_for_distance", info.usable_for_distance);
        }
    }
    if (j.contains("region_codes"))
        for (auto &[k, v] : j["region_codes"].items()) rs.region_codes[k] = v.get<std::string>();
    if (j.contains("domain_regions"))
        for (auto &[k, v] : j["domain_regions"].items()) rs.domain_regions[k] = v.get<std::string>();
    if (j.contains("asn_from_rdns")) rs.asn_from_rdns = make_regex(j["asn_from_rdns"].get<std::string>(), src, "asn_from_rdns");
    if (j.contains("alias_from_rdns"))
        rs.alias_from_rdns = make_regex(j["alias_from_rdns"].get<std::string>(), src, "alias_from_rdns");
}

json parse_json(const std::string &text, const std::string &src)
{
    try {
        json j = json::parse(text);
        if (!j.is_object()) fail(src, "top level must be a JSON object");
        return j;
    } catch (const json::parse_error &e) {
        fail(src, std::string("not valid JSON: ") + e.what());
    }
}

} // namespace

RuleSet parse_rules(const std::string &text, const std::string &src)
{
    json j = parse_json(text, src);
    RuleSet rs;
    try {
        apply_tables(rs, j, src);
        rs.rules = parse_rule_list(j.value("rules", json::array()), false, src);
        rs.tag_rules = parse_rule_list(j.value("tag_rules", json::array()), true, src);
    } catch (const json::exception &e) {
        fail(src, e.what());
    }
    rs.sources.push_back(src);
    return rs;
}

RuleSet default_rules() { return parse_rules(default_rules_text(), "built-in default_roles.json"); }

RuleSet load_rules(const std::filesystem::path &file, bool extend)
{
    std::ifstream in(file);
    if (!in) throw std::runtime_error("rules " + file.string() + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string src = file.string();
    json j = parse_json(ss.str(), src);
    if (j.value("mode", std::string("extend")) == "replace") extend = false;
    if (!extend) return parse_rules(ss.str(), src);
    RuleSet rs = default_rules();
    try {
        apply_tables(rs, j, src);
        auto user = parse_rule_list(j.value("rules", json::array()), false, src);
        auto user_tags = parse_rule_list(j.value("tag_rules", json::array()), true, src);
        rs.rules.insert(rs.rules.begin(), user.begin(), user.end());
        rs.tag_rules.insert(rs.tag_rules.begin(), user_tags.begin(), user_tags.end());
    } catch (const json::exception &e) {
        fail(src, e.what());
    }
    rs.sources.push_back(src);
    return rs;
}

} // namespace pathmap::graph
