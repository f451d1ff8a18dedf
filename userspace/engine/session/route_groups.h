// Route groups: the targets of a run split by the kernel route that carries
// them (output interface, gateway, source), so a multi-homed prober sends
// each target where `ip route get` says, not where the first target goes.
// Pure: the route lookup is passed in (tx::RouteLookup in a run, a table in
// the unit tests).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/tx/next_hop.h"

namespace pathmap::session {

struct RouteGroup {
    tx::Route route;
    uint32_t first_target = 0; // host order: the group's lowest target (its next hop is resolved for it)
    uint64_t targets = 0;
};

class RouteGroups {
public:
    using Lookup = std::function<tx::Route(uint32_t dst)>;

    // Looks up each /24 block of the targets once, at its lowest target; a
    // block that one of `longer_routes` (the host's routes more specific than
    // /24, tx::RouteLookup::routes_longer_than) falls in is looked up target
    // by target. Throws std::runtime_error, one line:
    //  - a lookup failed (no route, unreachable, a local address);
    //  - one interface is left through two next hops or sources (one run
    //    sends an interface through one next hop);
    //  - more than one target is on-link (a local subnet: every target would
    //    need its own MAC).
    static RouteGroups plan(std::span<const uint32_t> targets, const Lookup &lookup,
                            std::span<const tx::RoutePrefix> longer_routes = {});

    size_t size() const noexcept { return groups_.size(); }
    const RouteGroup &operator[](size_t i) const noexcept { return groups_[i]; }
    const std::vector<RouteGroup> &groups() const noexcept { return groups_; }
    // The group of a planned target (0 for an address no group holds).
    uint16_t group_of(uint32_t dst) const noexcept;
    // Reorders probes so each group's come together, keeping their order
    // within a group (a stable counting sort); a no-op for one group.
    void order_by_group(std::vector<probe::ProbeSpec> &probes) const;

private:
    struct Span {
        uint32_t lo, hi; // inclusive, host order
        uint16_t group;
    };
    std::vector<Span> spans_; // sorted, disjoint
    std::vector<RouteGroup> groups_;
    mutable std::vector<probe::ProbeSpec> scratch_;
};

} // namespace pathmap::session
