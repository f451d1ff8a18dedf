// Next hop for a destination from the kernel's route and neighbour tables
// (rtnetlink), triggering ARP resolution when the neighbour is unknown.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pathmap::tx {

struct NextHop {
    std::string iface;
    int ifindex = 0;
    uint32_t src_ip = 0;  // host order: preferred source of the route (or the interface's first address)
    uint32_t gateway = 0; // host order: 0 when the destination is on-link
    std::array<uint8_t, 6> src_mac{}, dst_mac{};
};

struct NextHopOptions {
    int resolve_timeout_ms = 3000; // wait for the neighbour to become reachable
};

// The kernel's route to one destination, as `ip route get` prints it.
struct Route {
    int oif = 0;
    uint32_t gateway = 0; // host order; 0 = on-link
    uint32_t src = 0;     // host order: preferred source (0 when the route names none)
    auto operator<=>(const Route &) const = default;
};

struct RoutePrefix {
    uint32_t addr = 0; // host order
    uint8_t len = 0;
};

// Many route lookups over one rtnetlink socket. With an interface hint,
// every route must leave through it (else route() throws, as for one hop).
class RouteLookup {
public:
    explicit RouteLookup(const std::string &iface_hint = "");
    ~RouteLookup();
    RouteLookup(const RouteLookup &) = delete;
    RouteLookup &operator=(const RouteLookup &) = delete;
    // Throws std::runtime_error: no route, not unicast, a local address.
    Route route(uint32_t dst_host_order);
    // Every IPv4 route, of any table, more specific than /len: where a block
    // of that size may be split between routes.
    std::vector<RoutePrefix> routes_longer_than(uint8_t len);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int hint_index_ = 0;
};

// Throws std::runtime_error on no route / unresolved neighbour / wrong iface.
NextHop resolve_next_hop(uint32_t dst_host_order, const std::string &iface_hint = "", NextHopOptions = {});

} // namespace pathmap::tx
