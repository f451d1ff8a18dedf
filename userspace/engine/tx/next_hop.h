// Next hop for a destination from the kernel's route and neighbour tables
// (rtnetlink), triggering ARP resolution when the neighbour is unknown.
#pragma once

#include <array>
#include <cstdint>
#include <string>

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

// Throws std::runtime_error on no route / unresolved neighbour / wrong iface.
NextHop resolve_next_hop(uint32_t dst_host_order, const std::string &iface_hint = "", NextHopOptions = {});

} // namespace pathmap::tx
