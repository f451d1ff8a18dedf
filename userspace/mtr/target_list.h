// MTR targets from the command line: addresses, ADDR:PORT, CIDRs; checked
// against the IANA special-purpose blocklist unless --allow opens a range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pathmap/ipv4.h"

namespace pathmap::mtr {

struct TargetList {
    std::vector<uint32_t> addrs; // host order, in command-line order, no repeats
    uint16_t port = 0;           // from ADDR:PORT (one port per run), 0 = none given
};

// Special-purpose ranges (RFC 6890 and friends) never probed unless allowed.
const std::vector<Ipv4Prefix> &special_purpose_blocklist();

// Throws std::invalid_argument with a one-line message naming the bad item:
// unparsable text, a blocklisted address not covered by `allow`, mixed
// ports, more than max_targets addresses.
TargetList parse_targets(const std::vector<std::string> &items, const std::vector<Ipv4Prefix> &allow,
                         size_t max_targets = 65536);

} // namespace pathmap::mtr
