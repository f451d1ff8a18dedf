// MTR targets from the command line: addresses, ADDR:PORT, CIDRs; checked
// against pathmap's one special-purpose blocklist (pathmap/blocklist.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pathmap/blocklist.h"
#include "pathmap/ipv4.h"

namespace pathmap::mtr {

struct TargetList {
    std::vector<uint32_t> addrs; // host order, in command-line order, no repeats
    uint16_t port = 0;           // from ADDR:PORT (one port per run), 0 = none given
};

// Throws std::invalid_argument with a one-line message naming the bad item:
// unparsable text, an address `blocklist` refuses (Blocklist::refusal, the
// sweep's words too), mixed ports, more than max_targets addresses.
TargetList parse_targets(const std::vector<std::string> &items, const Blocklist &blocklist,
                         size_t max_targets = 65536);

} // namespace pathmap::mtr
