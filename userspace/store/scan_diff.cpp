// pathmap diff's comparison (scan_diff.h).
#include "userspace/store/scan_diff.h"

#include <algorithm>
#include <map>

#include "pathmap/ipv4.h"

namespace pathmap::store
{
namespace
{

// Addresses sort as numbers: 198.19.2.0 before 198.19.10.0.
bool addr_less(const std::string &x, const std::string &y)
{
    const auto a = parse_ipv4(x), b = parse_ipv4(y);
    if (a && b) return *a < *b;
    if (a || b) return bool(a);
    return x < y;
}

void sort_unique(std::vector<std::string> &v)
{
    std::sort(v.begin(), v.end(), addr_less);
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

struct ByAddr {
    bool operator()(const std::string &x, const std::string &y) const { return addr_less(x, y); }
};
using ByDestination = std::map<std::string, std::vector<const Trace *>, ByAddr>;

ByDestination group(std::span<const Trace> traces)
{
    ByDestination out;
    for (const Trace &t : traces)
        if (!t.dst.empty()) out[t.dst].push_back(&t); // a trace whose file named no destination is compared with none
    return out;
}

// Addresses of x's path missing from y's, where y probed the TTL x saw them at.
std::vector<std::string> missing(const DestinationPath &x, const DestinationPath &y)
{
    std::vector<std::string> out;
    for (const auto &[ttl, addr] : x.answers)
        if (std::binary_search(y.probed.begin(), y.probed.end(), ttl) &&
            !std::binary_search(y.addrs.begin(), y.addrs.end(), addr, addr_less))
            out.push_back(addr);
    sort_unique(out);
    return out;
}

nlohmann::ordered_json path_json(const DestinationPath &p)
{
    return {{"reached", p.reached},
            {"distance", p.distance ? nlohmann::ordered_json(p.distance) : nlohmann::ordered_json(nullptr)},
            {"last_hops", p.last_hops},
            {"hops", p.addrs}};
}

} // namespace

DestinationPath destination_path(std::span<const Trace *const> flows)
{
    DestinationPath p;
    for (const Trace *t : flows) {
        const std::string *last = nullptr;
        for (const Hop &h : t->hops) {
            p.probed.push_back(h.ttl);
            if (h.addr.empty()) continue;
            if (h.addr == t->dst) {
                // The destination answering is the end of the path, not a hop of it.
                p.reached = true;
                if (p.distance == 0 || h.ttl < p.distance) p.distance = h.ttl;
                break;
            }
            p.addrs.push_back(h.addr);
            p.answers.emplace_back(h.ttl, h.addr);
            last = &h.addr;
        }
        if (t->reached) p.reached = true;
        if (last) p.last_hops.push_back(*last);
    }
    sort_unique(p.addrs);
    sort_unique(p.last_hops);
    std::sort(p.probed.begin(), p.probed.end());
    p.probed.erase(std::unique(p.probed.begin(), p.probed.end()), p.probed.end());
    return p;
}

std::vector<std::string> DestinationChange::kinds() const
{
    std::vector<std::string> out;
    if (!added.empty()) out.emplace_back("hops_added");
    if (!removed.empty()) out.emplace_back("hops_removed");
    if (last_hop_changed) out.emplace_back("last_hop_changed");
    if (newly_unreachable) out.emplace_back("newly_unreachable");
    if (newly_reachable) out.emplace_back("newly_reachable");
    if (distance_changed) out.emplace_back("distance_changed");
    return out;
}

ScanDiff diff_scans(std::span<const Trace> a, std::span<const Trace> b)
{
    const ByDestination ga = group(a), gb = group(b);
    ScanDiff d;
    for (const auto &[dst, flows] : ga) {
        const auto other = gb.find(dst);
        if (other == gb.end()) {
            d.only_in_a.push_back(dst);
            continue;
        }
        ++d.compared;
        DestinationChange c{.dst = dst, .a = destination_path(flows), .b = destination_path(other->second)};
        c.added = missing(c.b, c.a);
        c.removed = missing(c.a, c.b);
        c.last_hop_changed = c.a.last_hops != c.b.last_hops;
        c.newly_unreachable = c.a.reached && !c.b.reached;
        c.newly_reachable = !c.a.reached && c.b.reached;
        c.distance_changed = c.a.distance && c.b.distance && c.a.distance != c.b.distance;
        if (!c.kinds().empty()) d.changed.push_back(std::move(c));
    }
    for (const auto &[dst, flows] : gb)
        if (!ga.contains(dst)) d.only_in_b.push_back(dst);
    return d;
}

nlohmann::ordered_json to_json(const DestinationChange &c)
{
    return {{"dst", c.dst},         {"changes", c.kinds()}, {"added", c.added},
            {"removed", c.removed}, {"a", path_json(c.a)},  {"b", path_json(c.b)}};
}

} // namespace pathmap::store
