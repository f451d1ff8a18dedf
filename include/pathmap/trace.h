// The trace model every part of pathmap speaks: what a sweep writes to
// traces.jsonl, what the graph, geolocation and MTR code read. Plain data,
// no I/O; trace_io.h turns it into JSON lines and back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pathmap {

// A probed TTL. A hop without an address was probed and stayed silent; a TTL
// that has no Hop at all was never probed (Doubletree skips the TTLs below
// its stop set), and analyses must not invent a vertex for it.
struct Hop {
    uint8_t ttl = 0;
    std::string addr;                  // dotted quad; empty: probed, no reply
    double rtt_ms = 0.0;
    int icmp_type = -1;                // -1 for TCP replies
    int icmp_code = -1;
    int reply_ttl = 0;                 // IP TTL of the reply as received
    int quoted_ttl = 0;                // TTL in the quoted header, 0 if none
    std::vector<uint32_t> mpls_labels; // label values (20 bits) of RFC 4950 stacks
    std::optional<std::string> rdns;   // filled by a resolver when asked for
    int64_t asn = 0;                   // owner of the address (location database), 0 = unknown
    std::optional<std::string> as_name;
    std::optional<std::string> country; // ISO 3166 code of the address's network
    // false: the hop answered but its RTT was not measured (a RIPE Atlas
    // "late" reply); rtt_ms is then 0 and means nothing. traces.jsonl writes
    // "rtt_ms": null, the hop store a NULL rtt_us.
    bool rtt_known = true;
};

struct Trace {
    // Dotted quad; "" when the file does not name it (traceroute text without
    // its header that ends silent, tracepath that never reached): the hops
    // are real, the destination is not made up. Such a trace is not reached.
    std::string dst;
    uint16_t flow_id = 0;
    bool reached = false;
    // Why probing stopped: "reached", "unreachable", "gap_limit", "max_ttl", "loop", "interrupted".
    std::string stop_reason;
    uint8_t first_ttl = 0;             // lowest TTL probed; 0 = not recorded (older files)
    // Who measured it, when the file names one of many (RIPE Atlas: the
    // prb_id); "" = the file's one vantage point. Not written to traces.jsonl.
    std::string vantage_id;
    std::vector<Hop> hops;             // sorted by ttl, one entry per probed TTL
};

} // namespace pathmap
