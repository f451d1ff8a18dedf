// HopAlternatives: every answer per TTL, expanded into one Trace per branch
// (see reader_hops.h for why a branch is a Trace).
#include "graph/reader_hops.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pathmap/ipv4.h"

namespace pathmap::graph
{

void HopAlternatives::probed(int ttl)
{
    if (ttl >= 1 && ttl <= 255) by_ttl_[ttl];
}

void HopAlternatives::probed_range(int first, int last)
{
    for (int ttl = std::max(first, 1); ttl <= std::min(last, 255); ++ttl)
        by_ttl_[ttl];
}

void HopAlternatives::add(Hop h, std::optional<uint32_t> flow)
{
    if (h.ttl == 0) return;
    std::vector<HopAlternative> &alts = by_ttl_[h.ttl];
    if (h.addr.empty()) return; // a silent probe: the TTL is probed, nothing more
    for (HopAlternative &a : alts)
        if (a.hop.addr == h.addr) {
            if (flow && std::find(a.flows.begin(), a.flows.end(), *flow) == a.flows.end())
                a.flows.push_back(*flow);
            if (a.hop.mpls_labels.empty()) a.hop.mpls_labels = h.mpls_labels;
            if (a.hop.rtt_ms == 0.0 && h.rtt_ms > 0.0) a.hop.rtt_ms = h.rtt_ms;
            return;
        }
    HopAlternative a{.hop = std::move(h)};
    if (flow) a.flows.push_back(*flow);
    alts.push_back(std::move(a));
}

void HopAlternatives::answered_by_name(int ttl, std::string name, double rtt_ms)
{
    if (ttl < 1 || ttl > 255 || name.empty()) return;
    by_ttl_[ttl];
    names_.emplace(ttl, Hop{.ttl = static_cast<uint8_t>(ttl), .rtt_ms = rtt_ms, .rdns = std::move(name)});
}

size_t HopAlternatives::responding_ttls() const
{
    size_t n = 0;
    for (const auto &[ttl, alts] : by_ttl_)
        n += !alts.empty();
    return n;
}

std::string HopAlternatives::last_address() const
{
    for (auto it = by_ttl_.rbegin(); it != by_ttl_.rend(); ++it)
        if (!it->second.empty()) return it->second.front().hop.addr;
    return {};
}

namespace
{

void finish_branch(Trace &t, const Trace &base)
{
    if (!t.hops.empty() && t.first_ttl == 0) t.first_ttl = t.hops.front().ttl;
    bool unreachable = false;
    for (auto it = t.hops.rbegin(); it != t.hops.rend(); ++it)
        if (!it->addr.empty()) {
            if (it->addr == t.dst) t.reached = true;
            unreachable = it->icmp_type == 3;
            break;
        }
    t.reached = t.reached || base.reached;
    if (t.stop_reason.empty())
        t.stop_reason = t.reached ? "reached" : unreachable ? "unreachable" : "max_ttl";
}

} // namespace

std::vector<Trace> HopAlternatives::traces(const Trace &base) const
{
    size_t branches = 1;
    std::set<uint32_t> flows;
    for (const auto &[ttl, alts] : by_ttl_) {
        branches = std::max(branches, alts.size());
        for (const HopAlternative &a : alts)
            flows.insert(a.flows.begin(), a.flows.end());
    }
    // Which alternative branch `k` (or flow `k`, in flow mode) takes at a TTL.
    auto pick = [&](const std::vector<HopAlternative> &alts, size_t k,
                    bool by_flow) -> const HopAlternative * {
        if (alts.empty()) return nullptr;
        if (!by_flow) return &alts[k < alts.size() ? k : 0];
        const HopAlternative *unlisted = nullptr;
        for (const HopAlternative &a : alts) {
            if (std::find(a.flows.begin(), a.flows.end(), k) != a.flows.end()) return &a;
            if (a.flows.empty() && !unlisted) unlisted = &a;
        }
        return unlisted ? unlisted : &alts[0];
    };
    const bool by_flow = !flows.empty();
    std::vector<size_t> keys;
    if (by_flow)
        keys.assign(flows.begin(), flows.end());
    else
        for (size_t k = 0; k < branches; ++k)
            keys.push_back(k);
    std::vector<Trace> out;
    std::set<std::vector<std::string>> seen; // per-flow paths that coincide are one branch
    for (size_t key : keys) {
        Trace t = base;
        t.hops.clear();
        std::vector<std::string> path;
        for (const auto &[ttl, alts] : by_ttl_) {
            const HopAlternative *a = pick(alts, key, by_flow);
            if (a) {
                t.hops.push_back(a->hop);
            } else if (auto n = names_.find(ttl); n != names_.end()) {
                t.hops.push_back(n->second);
            } else {
                t.hops.push_back(Hop{.ttl = static_cast<uint8_t>(ttl)});
            }
            path.push_back(t.hops.back().addr);
        }
        if (!seen.insert(path).second) continue;
        t.flow_id = static_cast<uint16_t>(by_flow ? key : base.flow_id + key);
        finish_branch(t, base);
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<std::string> ipv4_text(std::string_view s)
{
    if (parse_ipv4(s)) return std::string(s);
    constexpr std::string_view mapped = "::ffff:";
    if (s.size() > mapped.size()) {
        std::string lower(s.substr(0, mapped.size()));
        for (char &c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == mapped && parse_ipv4(s.substr(mapped.size())))
            return std::string(s.substr(mapped.size()));
    }
    return std::nullopt;
}

bool looks_like_ipv6(std::string_view s)
{
    if (size_t pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct); // fe80::1%eth0
    if (s.size() < 2 || s.find(':') == std::string_view::npos) return false;
    int colons = 0;
    for (char c : s) {
        if (c == ':')
            ++colons;
        else if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.')
            return false;
    }
    return colons >= 2;
}

} // namespace pathmap::graph
