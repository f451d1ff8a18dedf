// A small topology used by several graph tests: a vantage, an ECMP diamond,
// a CGNAT span, a private backbone, a silent router and three /24s.
#pragma once

#include <vector>

#include "pathmap/trace.h"

namespace pathmap::graph::fixtures {

inline Trace small_trace(const char *dst, std::vector<std::pair<int, const char *>> hops, uint16_t flow = 0)
{
    Trace t;
    t.dst = dst;
    t.flow_id = flow;
    t.reached = true;
    double rtt = 0.5;
    for (auto &[ttl, a] : hops) {
        Hop h;
        h.ttl = static_cast<uint8_t>(ttl);
        h.addr = a; // "" = probed, silent
        if (h.addr.empty()) {
            t.hops.push_back(h);
            continue;
        }
        h.rtt_ms = rtt;
        h.icmp_type = 11;
        rtt += 1.25;
        t.hops.push_back(h);
    }
    return t;
}

inline std::vector<Trace> small_topology()
{
    // r1 198.18.0.1 -> r2 198.18.1.1 -> {r3a 198.18.2.1 | r3b 198.18.3.1} -> r4 198.18.4.1
    // -> cgnat 100.64.0.1 -> 100.64.0.2 -> backbone 10.0.0.1 -> (silent) -> 10.0.0.3 -> sinks
    return {
        small_trace("198.19.1.1", {{1, "198.18.0.1"}, {2, "198.18.1.1"}, {3, "198.18.2.1"}, {4, "198.18.4.1"},
                                   {5, "198.19.1.1"}}, 1),
        small_trace("198.19.1.2", {{1, "198.18.0.1"}, {2, "198.18.1.1"}, {3, "198.18.3.1"}, {4, "198.18.4.1"},
                                   {5, "198.19.1.2"}}, 2),
        small_trace("198.19.2.1", {{1, "198.18.0.1"}, {2, "198.18.1.1"}, {3, "198.18.2.1"}, {4, "198.18.4.1"},
                                   {5, "100.64.0.1"}, {6, "100.64.0.2"}, {7, "10.0.0.1"}, {8, ""}, {9, "10.0.0.3"},
                                   {10, "198.19.2.1"}}, 3),
        small_trace("198.19.3.1", {{1, "198.18.0.1"}, {2, "198.18.1.1"}, {3, "198.18.3.1"}, {4, "198.18.4.1"},
                                   {5, "100.64.0.1"}, {6, "100.64.0.2"}, {7, "10.0.0.1"}, {8, ""}, {9, "10.0.0.3"},
                                   {10, "198.19.3.1"}}, 4),
    };
}

} // namespace pathmap::graph::fixtures
