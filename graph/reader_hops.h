// What the foreign-format readers share: a per-TTL table of every address
// that answered, and its expansion into Traces.
//
// A Trace holds one Hop per TTL (include/pathmap/trace.h) and the builder
// keeps the first entry per TTL, so a TTL where several addresses answered
// (load balancing: `4  192.171.61.61  23.07 ms 206.248.155.109  17.07 ms`)
// becomes several Traces to the same destination, one per branch, with
// flow ids base, base+1, ... When the tool printed which flow saw which
// address (paris-traceroute's `(addr):0,2,3`, scamper tracelb's flowid),
// each distinct per-flow path is one Trace carrying its first flow id;
// otherwise branch k takes the k-th address seen at every TTL that has one,
// the first elsewhere. No address is lost; which branch pairs with which
// across two load-balanced TTLs is unknown without flow ids, as in the tool.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pathmap/trace.h"

namespace pathmap::graph
{

// One address that answered at a TTL, with the flows that saw it (empty:
// the tool did not say).
struct HopAlternative {
    Hop hop;
    std::vector<uint32_t> flows;
};

class HopAlternatives
{
  public:
    // A probe at this TTL that stayed silent.
    void probed(int ttl);
    // Every TTL in [first, last] was probed (formats that list replies only).
    void probed_range(int first, int last);
    // A reply. The first reply of an address keeps its fields; a later one
    // of the same address only adds its flow (and labels the first lacked).
    void add(Hop h, std::optional<uint32_t> flow = std::nullopt);
    // A reply known by its name only (mtr, tracepath without -n): its hop has
    // no address and keeps the name in Hop::rdns (and the RTT), which the
    // graph keys its vertex by. An address that answered at the TTL wins.
    void answered_by_name(int ttl, std::string name, double rtt_ms = 0.0);

    bool empty() const { return by_ttl_.empty(); }
    size_t responding_ttls() const;
    int last_ttl() const { return by_ttl_.empty() ? 0 : by_ttl_.rbegin()->first; }
    // The first address that answered at the highest answering TTL, "" if none.
    std::string last_address() const;
    const std::map<int, std::vector<HopAlternative>> &by_ttl() const { return by_ttl_; }

    // The branches, each a copy of `base` with hops filled in. reached is set
    // when the last answer of a branch is base.dst (or base.reached was set);
    // stop_reason defaults to reached, unreachable (the last answer is an ICMP
    // unreachable) or max_ttl; first_ttl to the lowest TTL.
    std::vector<Trace> traces(const Trace &base) const;

  private:
    std::map<int, std::vector<HopAlternative>> by_ttl_; // empty vector: probed, silent
    std::map<int, Hop> names_;                          // answered_by_name: the first name per TTL
};

// "a.b.c.d", or the IPv4-mapped "::ffff:a.b.c.d" as "a.b.c.d"; nullopt otherwise.
std::optional<std::string> ipv4_text(std::string_view s);
// True for text that looks like an IPv6 address (hex digits and colons, an
// optional %zone), so readers can skip IPv6 records rather than call them bad.
bool looks_like_ipv6(std::string_view s);

} // namespace pathmap::graph
