// Route changes between two scans (pathmap diff): per destination, the
// addresses its path crosses in each scan, compared. The report people build
// around mtr: hops added or removed, a changed last hop, a destination that
// became unreachable (or reachable), a changed distance. Pure: traces in,
// a report out.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"

namespace pathmap::store
{

// A destination's path in one scan, over all its flows.
struct DestinationPath {
    std::vector<std::string> addrs; // every address that answered below the destination, sorted
    std::vector<std::pair<int, std::string>> answers; // (TTL, address) of each of them
    std::vector<int> probed;                          // TTLs probed by any flow, sorted
    std::vector<std::string> last_hops;               // per flow, the last of them (sorted, distinct)
    bool reached = false;                             // by any flow
    int distance = 0; // the lowest TTL the destination answered at, 0 = not reached
};

struct DestinationChange {
    std::string dst;
    DestinationPath a, b;
    // Addresses of one scan's path that the other scan's path lacks, counted
    // only at TTLs the other scan probed: a sweep's Doubletree leaves the TTLs
    // below its stop set unprobed, and which traces it cuts differs per run.
    std::vector<std::string> added, removed;
    bool last_hop_changed = false;
    bool newly_unreachable = false; // reached in a, not in b
    bool newly_reachable = false;
    bool distance_changed = false; // reached in both, at different TTLs
    // Names of what changed, in this order: hops_added, hops_removed,
    // last_hop_changed, newly_unreachable, newly_reachable, distance_changed.
    std::vector<std::string> kinds() const;
};

struct ScanDiff {
    uint64_t compared = 0;              // destinations in both scans
    std::vector<std::string> only_in_a; // probed in a, not in b (sorted by address)
    std::vector<std::string> only_in_b;
    std::vector<DestinationChange> changed; // sorted by address
};

DestinationPath destination_path(std::span<const Trace *const> flows);
// Traces may come in any order; several per destination (flows) are merged.
ScanDiff diff_scans(std::span<const Trace> a, std::span<const Trace> b);

nlohmann::ordered_json to_json(const DestinationChange &c);

} // namespace pathmap::store
