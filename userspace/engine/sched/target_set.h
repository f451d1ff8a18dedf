// Which addresses a sweep probes: target arguments (CIDRs, single
// addresses, files of them), the IANA special-purpose blocklist that
// --allow opens, and per-/24 sampling. Pure: no I/O except reading -f files.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pathmap/blocklist.h"
#include "pathmap/ipv4.h"

namespace pathmap::sched {

// Bad target input (unparsable CIDR, unreadable file, empty set): the CLI
// turns it into one line and exit code 2.
struct TargetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The one blocklist of pathmap (include/pathmap/blocklist.h), shared with mtr.
using pathmap::Blocklist;

// "198.19.0.0/16", "198.19.1.7": throws TargetError naming the bad text.
Ipv4Prefix parse_target(std::string_view text);
// One target per line; blank lines and '#' comments skipped. Throws
// TargetError("FILE:LINE: ...") or when the file cannot be read.
std::vector<Ipv4Prefix> read_target_file(const std::string &path);

struct TargetSelection {
    uint32_t per_24 = 1;    // random addresses per /24 of a prefix (shorter than /32)
    bool all_hosts = false; // every address of every prefix
    uint64_t seed = 0;      // sampling seed
    uint64_t max_targets = 1ull << 24;
};

struct TargetSet {
    std::vector<uint32_t> addrs; // host order, sorted, unique
    uint64_t blocked = 0;        // candidate addresses removed by the blocklist
};

// Expands prefixes into target addresses. A /32 (a single address) is
// always itself; other prefixes give per_24 random addresses per /24 (.0
// and .255 avoided when the /24 is whole) or, with all_hosts, every address.
// Blocked addresses are skipped and counted; when nothing is left, throws
// TargetError with Blocklist::refusal() of the first one (the same line
// `pathmap mtr` gives for that target).
TargetSet select_targets(const std::vector<Ipv4Prefix> &prefixes, const Blocklist &blocklist,
                         const TargetSelection &sel);

} // namespace pathmap::sched
