// Route groups: one kernel lookup per /24 block (one per target where a
// longer route splits it), merged into address spans for a binary-searched group_of().
#include "userspace/engine/session/route_groups.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/ipv4.h"
#include "userspace/engine/tx/iface_info.h"

namespace pathmap::session {
namespace {

std::string iface_text(int oif)
{
    std::string name = tx::iface_name(oif);
    return name.empty() ? fmt::format("interface {}", oif) : name;
}

std::string via_text(const tx::Route &r)
{
    return fmt::format("{} src {}", r.gateway ? "via " + format_ipv4(r.gateway) : std::string("on-link"),
                       format_ipv4(r.src));
}

} // namespace

RouteGroups RouteGroups::plan(std::span<const uint32_t> targets, const Lookup &lookup,
                              std::span<const tx::RoutePrefix> longer_routes)
{
    std::vector<uint32_t> split_blocks;
    for (const auto &p : longer_routes)
        if (p.len > 24) split_blocks.push_back(p.addr >> 8);
    std::sort(split_blocks.begin(), split_blocks.end());
    std::vector<uint32_t> sorted(targets.begin(), targets.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

    RouteGroups out;
    std::map<tx::Route, uint16_t> index;
    std::map<int, uint16_t> by_iface;
    auto group_for = [&](const tx::Route &r, uint32_t dst) -> uint16_t {
        auto it = index.find(r);
        if (it == index.end()) {
            if (auto other = by_iface.find(r.oif); other != by_iface.end()) {
                const RouteGroup &g = out.groups_[other->second];
                throw std::runtime_error(fmt::format(
                    "targets leave {} through two next hops: {} ({}) and {} ({}); one run sends an interface "
                    "through one next hop, so probe them in separate runs",
                    iface_text(r.oif), format_ipv4(g.first_target), via_text(g.route), format_ipv4(dst), via_text(r)));
            }
            if (out.groups_.size() >= UINT16_MAX) throw std::runtime_error("more than 65535 route groups");
            it = index.emplace(r, static_cast<uint16_t>(out.groups_.size())).first;
            by_iface.emplace(r.oif, it->second);
            out.groups_.push_back(RouteGroup{.route = r, .first_target = dst, .targets = 0});
        }
        return it->second;
    };
    auto add = [&](uint32_t dst, uint16_t g) {
        RouteGroup &grp = out.groups_[g];
        ++grp.targets;
        if (grp.route.gateway == 0 && grp.targets > 1)
            throw std::runtime_error(fmt::format(
                "{} and {} are on-link on {} (no gateway): probes go to one next hop per interface, so a local "
                "subnet cannot be swept; leave it out of the targets",
                format_ipv4(grp.first_target), format_ipv4(dst), iface_text(grp.route.oif)));
        if (!out.spans_.empty() && out.spans_.back().group == g && out.spans_.back().hi + 1 == dst) {
            out.spans_.back().hi = dst;
        } else if (!out.spans_.empty() && out.spans_.back().group == g && (out.spans_.back().hi >> 8) == (dst >> 8)) {
            // Same block, same route, a gap of unplanned addresses: still one span.
            out.spans_.back().hi = dst;
        } else {
            out.spans_.push_back(Span{dst, dst, g});
        }
    };
    auto route_of = [&](uint32_t dst) {
        try {
            return lookup(dst);
        } catch (const std::exception &e) {
            throw std::runtime_error(fmt::format("cannot route target {}: {}", format_ipv4(dst), e.what()));
        }
    };

    for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j < sorted.size() && (sorted[j] >> 8) == (sorted[i] >> 8)) ++j;
        if (std::binary_search(split_blocks.begin(), split_blocks.end(), sorted[i] >> 8)) {
            for (size_t k = i; k < j; ++k) add(sorted[k], group_for(route_of(sorted[k]), sorted[k]));
        } else {
            const uint16_t g = group_for(route_of(sorted[i]), sorted[i]);
            for (size_t k = i; k < j; ++k) add(sorted[k], g);
        }
        i = j;
    }
    return out;
}

uint16_t RouteGroups::group_of(uint32_t dst) const noexcept
{
    if (groups_.size() <= 1) return 0;
    auto it = std::upper_bound(spans_.begin(), spans_.end(), dst, [](uint32_t d, const Span &s) { return d < s.lo; });
    if (it == spans_.begin()) return 0;
    --it;
    return dst <= it->hi ? it->group : 0;
}

void RouteGroups::order_by_group(std::vector<probe::ProbeSpec> &probes) const
{
    if (groups_.size() <= 1 || probes.size() <= 1) return;
    std::vector<size_t> start(groups_.size() + 1, 0);
    for (const auto &p : probes) ++start[group_of(p.dst) + 1];
    for (size_t g = 1; g < start.size(); ++g) start[g] += start[g - 1];
    scratch_.resize(probes.size());
    for (const auto &p : probes) scratch_[start[group_of(p.dst)]++] = p;
    probes.swap(scratch_);
}

} // namespace pathmap::session
