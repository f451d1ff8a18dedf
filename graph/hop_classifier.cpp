// Rule evaluation over one path: role rules in order (each gives its role to
// every hop still without one that meets all its conditions), silent hops
// between two hops of one role inherit it, then tag rules, then scope,
// region, reliability and the distance summary (docs/GRAPH.md).
#include "graph/hop_classifier.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <fmt/core.h>

#include "pathmap/ipv4.h"

namespace pathmap::graph {

struct PathView {
    std::vector<int> resp;          // indices of responding hops in path order
    std::vector<int> prev_resp;     // per hop: previous responding hop index or -1
    std::vector<int> next_resp;     // per hop: next responding hop index or -1
    std::vector<int> position;      // 1-based among responding hops (0 for silent)
    std::vector<std::string> prior_region; // last known region before this hop
    const PathHop *hops = nullptr;
};

HopClassifier::HopClassifier(const TopologyBuilder &builder, ClassifierContext ctx) : b_(builder), ctx_(ctx)
{
    if (!builder.finished()) throw std::logic_error("HopClassifier: TopologyBuilder::finish() was not called");
}

namespace {

std::string region_from_name(const std::string &name, const RuleSet &rs)
{
    if (name.empty()) return {};
    std::string lower(name.size(), ' ');
    std::transform(name.begin(), name.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    // Site codes: a token of letters optionally followed by digits ("sin03").
    size_t start = 0;
    while (start < lower.size()) {
        size_t end = lower.find_first_of(".-_", start);
        if (end == std::string::npos) end = lower.size();
        std::string tok = lower.substr(start, end - start);
        size_t letters = 0;
        while (letters < tok.size() && std::isalpha(static_cast<unsigned char>(tok[letters]))) ++letters;
        bool digits_only_after = tok.find_first_not_of("0123456789", letters) == std::string::npos;
        if (letters >= 3 && digits_only_after) {
            auto it = rs.region_codes.find(tok.substr(0, letters));
            if (it != rs.region_codes.end()) return it->second;
        }
        start = end + 1;
    }
    for (const auto &[suffix, region] : rs.domain_regions)
        if (lower.size() >= suffix.size() && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            (lower.size() == suffix.size() || lower[lower.size() - suffix.size() - 1] == '.'))
            return region;
    return {};
}

std::string domain_of(const std::string &name)
{
    if (name.empty()) return {};
    std::string lower(name.size(), ' ');
    std::transform(name.begin(), name.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!lower.empty() && lower.back() == '.') lower.pop_back();
    size_t last = lower.rfind('.');
    if (last == std::string::npos || last == 0) return {};
    size_t second = lower.rfind('.', last - 1);
    return second == std::string::npos ? lower : lower.substr(second + 1);
}

bool role_in(HopRole r, const std::vector<HopRole> &list) { return std::find(list.begin(), list.end(), r) != list.end(); }

} // namespace

const HopClassifier::VertexFeatures &HopClassifier::features(VertexId v) const
{
    if (features_.size() <= v) features_.resize(b_.graph().vertex_count());
    VertexFeatures &f = features_[v];
    if (f.ready) return f;
    const VertexInfo &info = b_.graph().vertex(v);
    const RuleSet &rs = *ctx_.rules;
    // A vertex keyed by a name has no address (TopologyBuilder::named_vertex).
    f.cls = info.kind == VertexKind::interface && info.addr == 0 ? AddrClass::unknown : classify_address(info.addr);
    f.region = region_from_name(info.rdns, rs);
    f.domain = domain_of(info.rdns);
    if (ctx_.pfx2as) {
        if (auto e = ctx_.pfx2as->lookup(info.addr)) f.asn = e->asn;
    }
    std::smatch m;
    if (f.asn == 0 && rs.asn_from_rdns && !info.rdns.empty() && std::regex_search(info.rdns.str(), m, *rs.asn_from_rdns)) {
        try {
            f.asn = std::stoll(m[1].str());
        } catch (const std::exception &) {
            f.asn = 0;
        }
    }
    if (ctx_.location && f.cls == AddrClass::public_ && info.kind == VertexKind::interface) {
        if (auto o = ctx_.location->lookup(info.addr)) {
            if (f.asn == 0) f.asn = o->asn; // a pfx2as file given on purpose wins
            if (f.asn == o->asn) f.as_name = o->as_name;
            f.country = o->country;
        }
    }
    if (ctx_.ixp) f.ixp = ctx_.ixp->lookup(info.addr).has_value();
    size_t slots = rs.rules.size() + rs.tag_rules.size();
    f.regex_hits.assign(slots, 0);
    if (!info.rdns.empty()) {
        for (size_t k = 0; k < rs.rules.size(); ++k)
            if (rs.rules[k].cond.rdns_regex) f.regex_hits[k] = std::regex_search(info.rdns.str(), *rs.rules[k].cond.rdns_regex);
        for (size_t k = 0; k < rs.tag_rules.size(); ++k)
            if (rs.tag_rules[k].cond.rdns_regex)
                f.regex_hits[rs.rules.size() + k] = std::regex_search(info.rdns.str(), *rs.tag_rules[k].cond.rdns_regex);
    }
    f.ready = true;
    return f;
}

bool HopClassifier::matches(const RuleCondition &c, size_t slot, size_t i, const PathView &p,
                            const std::vector<HopProfile> &hops, const std::vector<char> &assigned) const
{
    const PathHop &h = p.hops[i];
    const VertexFeatures &f = features(h.vertex);
    const RuleThresholds &th = ctx_.rules->thresholds;
    int prev = p.prev_resp[i], next = p.next_resp[i];
    if (c.is_destination && *c.is_destination != bool(h.flags & PathHop::kDestination)) return false;
    if (!c.addr_class.empty() && std::find(c.addr_class.begin(), c.addr_class.end(), f.cls) == c.addr_class.end())
        return false;
    if (c.rdns_regex && !f.regex_hits[slot]) return false;
    if (c.ttl_min && h.ttl < *c.ttl_min) return false;
    if (c.ttl_max && h.ttl > *c.ttl_max) return false;
    if (c.position_min && p.position[i] < *c.position_min) return false;
    if (c.position_max && p.position[i] > *c.position_max) return false;
    if (c.rtt_jump) {
        bool jump = prev >= 0 && h.rtt_ms - p.hops[prev].rtt_ms >= th.rtt_jump_ms;
        if (jump != *c.rtt_jump) return false;
    }
    if (c.rtt_spike) {
        bool spike = h.rtt_ms >= th.rtt_spike_min_ms && (prev >= 0 || next >= 0) &&
                     (prev < 0 || h.rtt_ms > th.rtt_spike_factor * p.hops[prev].rtt_ms) &&
                     (next < 0 || h.rtt_ms > th.rtt_spike_factor * p.hops[next].rtt_ms);
        if (spike != *c.rtt_spike) return false;
    }
    if (c.region_change) {
        bool change = !f.region.empty() && !p.prior_region[i].empty() && f.region != p.prior_region[i];
        if (change != *c.region_change) return false;
    }
    if (c.mpls && *c.mpls != bool(h.flags & PathHop::kMpls)) return false;
    if (c.quoted_ttl_min && h.quoted_ttl < *c.quoted_ttl_min) return false;
    if (c.ixp && *c.ixp != f.ixp) return false;
    if (c.asn_change) {
        bool change = prev >= 0 && f.asn != 0 && features(p.hops[prev].vertex).asn != 0 &&
                      features(p.hops[prev].vertex).asn != f.asn;
        if (change != *c.asn_change) return false;
    }
    if (c.last_nonpublic) {
        bool last = f.cls != AddrClass::public_ && f.cls != AddrClass::unknown && next >= 0 &&
                    features(p.hops[next].vertex).cls == AddrClass::public_;
        if (last != *c.last_nonpublic) return false;
    }
    if (!c.prev_role.empty() && (prev < 0 || !assigned[prev] || !role_in(hops[prev].role, c.prev_role))) return false;
    if (!c.next_role.empty() && (next < 0 || !assigned[next] || !role_in(hops[next].role, c.next_role))) return false;
    if (!c.after_role.empty()) {
        bool found = false;
        for (size_t k = 0; k < i && !found; ++k) found = assigned[k] && role_in(hops[k].role, c.after_role);
        if (!found) return false;
    }
    if (!c.same_domain_as_role.empty()) {
        if (f.domain.empty()) return false;
        bool found = false;
        for (size_t k = 0; k < i && !found; ++k)
            found = assigned[k] && role_in(hops[k].role, c.same_domain_as_role) &&
                    features(p.hops[k].vertex).domain == f.domain;
        if (!found) return false;
    }
    return true;
}

TraceProfile HopClassifier::classify(size_t path_index) const
{
    const PathRecord &rec = b_.paths().at(path_index);
    const RuleSet &rs = *ctx_.rules;
    const TopologyGraph &g = b_.graph();
    TraceProfile out;
    out.dst = rec.dst ? format_ipv4(rec.dst) : std::string(); // "": the file named none
    out.vantage = rec.vantage != kNoVertex ? g.vertex(rec.vantage).label : std::string();
    out.flow_id = rec.flow_id;
    out.reached = rec.reached;
    size_t n = rec.hop_count;
    out.total_hops = static_cast<int>(n);
    if (n == 0) {
        out.notes.push_back("no hop answered");
        return out;
    }
    PathView p;
    p.hops = b_.hops().data() + rec.first_hop;
    p.prev_resp.assign(n, -1);
    p.next_resp.assign(n, -1);
    p.position.assign(n, 0);
    p.prior_region.assign(n, {});
    int last = -1, pos = 0;
    std::string known_region;
    for (size_t i = 0; i < n; ++i) {
        p.prev_resp[i] = last;
        p.prior_region[i] = known_region;
        if (p.hops[i].responded()) {
            p.resp.push_back(static_cast<int>(i));
            p.position[i] = ++pos;
            last = static_cast<int>(i);
            const std::string &r = features(p.hops[i].vertex).region;
            if (!r.empty()) known_region = r;
        }
    }
    last = -1;
    for (size_t i = n; i-- > 0;) {
        p.next_resp[i] = last;
        if (p.hops[i].responded()) last = static_cast<int>(i);
    }

    out.hops.resize(n);
    std::vector<char> assigned(n, 0);
    for (size_t i = 0; i < n; ++i) {
        HopProfile &hp = out.hops[i];
        const PathHop &h = p.hops[i];
        const VertexInfo &vi = g.vertex(h.vertex);
        hp.index = h.ttl;
        hp.vertex = h.vertex;
        hp.responded = h.responded();
        if (hp.responded) {
            const uint32_t a = b_.hop_address(rec, h); // a folded destination is its prefix's vertex
            if (a != 0) hp.ip = format_ipv4(a);          // none for a hop known by name only
            if (!(h.flags & PathHop::kDestination) || vi.kind == VertexKind::interface) hp.hostname = vi.rdns;
            hp.rtt_ms = h.rtt_ms;
        }
    }
    for (size_t k = 0; k < rs.rules.size(); ++k) {
        const RoleRule &rule = rs.rules[k];
        for (int i : p.resp) {
            if (assigned[i] || !matches(rule.cond, k, i, p, out.hops, assigned)) continue;
            HopProfile &hp = out.hops[i];
            hp.role = rule.role;
            hp.rule = rule.name;
            hp.evidence = rule.evidence;
            hp.confidence = rule.confidence;
            assigned[i] = 1;
        }
    }
    // A silent hop between two hops of one role is taken to be part of it.
    for (size_t i = 0; i < n; ++i) {
        if (p.hops[i].responded()) continue;
        int a = p.prev_resp[i], z = p.next_resp[i];
        if (a >= 0 && z >= 0 && assigned[a] && assigned[z] && out.hops[a].role == out.hops[z].role &&
            out.hops[a].role != HopRole::destination) {
            out.hops[i].role = out.hops[a].role;
            out.hops[i].rule = "silent_between_same_role";
            out.hops[i].evidence = std::string("silent hop between two ") + hop_role_name(out.hops[a].role) + " hops";
            out.hops[i].confidence = 0.3;
        } else {
            out.hops[i].evidence = "no reply";
        }
    }
    for (size_t k = 0; k < rs.tag_rules.size(); ++k) {
        const RoleRule &rule = rs.tag_rules[k];
        for (int i : p.resp) {
            if (!matches(rule.cond, rs.rules.size() + k, i, p, out.hops, assigned)) continue;
            for (const std::string &t : rule.tags)
                if (std::find(out.hops[i].tags.begin(), out.hops[i].tags.end(), t) == out.hops[i].tags.end())
                    out.hops[i].tags.push_back(t);
        }
    }

    // Scope, layer, region, reliability.
    double answered = static_cast<double>(p.resp.size()) / static_cast<double>(n);
    std::string region;
    for (size_t i = 0; i < n; ++i) {
        HopProfile &hp = out.hops[i];
        const RoleInfo &ri = rs.role(hp.role);
        hp.layer = ri.layer;
        if (!hp.responded) {
            hp.scope = Scope::unknown;
            hp.region = region;
            continue;
        }
        const VertexFeatures &f = features(hp.vertex);
        hp.scope = f.cls == AddrClass::public_ ? ri.scope_public : f.cls == AddrClass::unknown ? Scope::unknown : ri.scope_private;
        hp.asn = f.asn;
        hp.as_name = f.as_name;
        hp.country = f.country;
        if (!f.region.empty()) region = f.region;
        hp.region = region;
        const VertexInfo &vi = g.vertex(hp.vertex);
        double stability = 0.75, consistency = 0.75;
        if (vi.times_seen >= 2) {
            // Over the measured RTTs only (an unmeasured one is no 0 ms
            // sample); fewer than two show no variation.
            double cv = 0.0;
            if (vi.rtt_samples >= 2) {
                double mean = vi.rtt_sum_ms / vi.rtt_samples;
                double var = std::max(0.0, vi.rtt_sumsq_ms / vi.rtt_samples - mean * mean);
                cv = mean > 0 ? std::sqrt(var) / mean : 0.0;
            }
            stability = 1.0 / (1.0 + cv);
            consistency = 1.0 / (1.0 + (vi.max_ttl - vi.min_ttl));
        }
        if (std::find(hp.tags.begin(), hp.tags.end(), "rtt_spike") != hp.tags.end()) stability = std::min(stability, 0.2);
        double plausibility = hp.role == HopRole::unknown ? 0.3 : hp.confidence;
        hp.reliability = std::clamp(0.3 * answered + 0.25 * stability + 0.2 * consistency + 0.25 * plausibility, 0.0, 1.0);
    }

    // Distance: usable hops are public-facing roles with sane RTTs; an RTT
    // difference of 1 ms is at most ~100 km of fibre (km_per_rtt_ms).
    int first_usable = -1;
    double last_rtt = -1.0;
    double rel_sum = 0.0;
    for (int i : p.resp) {
        HopProfile &hp = out.hops[i];
        bool spike = std::find(hp.tags.begin(), hp.tags.end(), "rtt_spike") != hp.tags.end();
        bool usable = rs.role(hp.role).usable_for_distance && !spike && !std::isnan(hp.rtt_ms) &&
                      (last_rtt < 0 || hp.rtt_ms + rs.thresholds.rtt_inversion_tolerance_ms >= last_rtt);
        if (!usable) continue;
        hp.usable_for_distance = true;
        if (first_usable < 0) first_usable = i;
        hp.distance_km = std::max(0.0, (hp.rtt_ms - out.hops[first_usable].rtt_ms) * rs.thresholds.km_per_rtt_ms);
        out.estimated_distance_km = std::max(out.estimated_distance_km, *hp.distance_km);
        last_rtt = std::max(last_rtt, hp.rtt_ms);
        ++out.usable_distance_hops;
        rel_sum += hp.reliability;
    }
    out.path_confidence = out.usable_distance_hops ? rel_sum / out.usable_distance_hops * (rec.reached ? 1.0 : 0.5) : 0.0;

    // Segments: maximal runs of one role.
    for (size_t i = 0; i < n; ++i) {
        const HopProfile &hp = out.hops[i];
        if (!out.segments.empty() && out.segments.back().role == hp.role) {
            out.segments.back().to_hop = hp.index;
            continue;
        }
        out.segments.push_back({hp.role, hp.layer, hp.index, hp.index, hp.region});
    }

    // Notes.
    for (int i : p.resp) {
        const HopProfile &hp = out.hops[i];
        if (hp.role == HopRole::international_transit) {
            int prev = p.prev_resp[i];
            out.notes.push_back(fmt::format("international transit detected at hop {} ({} -> {})", hp.index,
                                            p.prior_region[i].empty() ? "?" : p.prior_region[i],
                                            features(hp.vertex).region.empty() ? "?" : features(hp.vertex).region));
            (void)prev;
        }
    }
    int early_end = -1;
    for (size_t i = 0; i < n; ++i) {
        HopRole r = out.hops[i].role;
        if (r == HopRole::cpe || r == HopRole::rf_link || r == HopRole::packet_core || r == HopRole::cgnat ||
            (r == HopRole::unknown && !out.hops[i].responded && early_end >= 0))
            early_end = static_cast<int>(i);
        else
            break;
    }
    while (early_end >= 0 && !out.hops[early_end].responded) --early_end;
    if (early_end >= 0)
        out.notes.push_back(fmt::format("early private segment (hops {}-{}) excluded from distance", out.hops[0].index,
                                        out.hops[early_end].index));
    for (const PathSegment &s : out.segments)
        if (s.role == HopRole::private_backbone)
            out.notes.push_back(fmt::format("provider backbone segment (hops {}-{}) collapsed into one cluster, excluded from distance",
                                            s.from_hop, s.to_hop));
    for (int i : p.resp)
        for (const std::string &t : out.hops[i].tags)
            if (t == "rtt_spike")
                out.notes.push_back(fmt::format("RTT spike at hop {} ({:.1f} ms) ignored", out.hops[i].index, out.hops[i].rtt_ms));
    if (!rec.reached) out.notes.push_back("destination not reached");
    return out;
}

} // namespace pathmap::graph
