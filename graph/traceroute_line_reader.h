// One hop line of traceroute-family text (Linux, BSD, macOS, paris-traceroute)
// into its replies: every address on the line, each with its own RTTs and
// annotations, plus the continuation lines BSD/macOS and paris-traceroute
// print below a hop. The line loop (headers, runs) is traceroute_text.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pathmap/trace.h"

namespace pathmap::graph
{

struct LineReply {
    Hop hop;
    std::vector<uint32_t> flows; // paris-traceroute's "(addr):0,2,3": the flows that saw it
};

// The replies of one hop, gathered over its line and continuation lines.
struct HopLine {
    int ttl = 0;
    std::vector<LineReply> replies; // in the order printed; a star adds none
    bool ipv6 = false;              // an IPv6 address was printed (the reply is not kept)
};

// Reads `line` (without its hop number when `continuation`) into `hop`.
// Returns an error text for a token it cannot place, nullopt when fine.
std::optional<std::string> read_hop_tokens(std::string_view line, HopLine &hop);

// "MPLS Label 24953 TTL=1" or "MPLS Label 0 TTL=1 | 24950" (paris-traceroute,
// below its hop line): the label stack, top first. Empty if not such a line.
std::vector<uint32_t> paris_mpls_line(std::string_view line);

// The leading hop number of a line ("  4  ..."), or 0 if it has none.
int leading_hop_number(std::string_view line, std::string_view &rest);

} // namespace pathmap::graph
