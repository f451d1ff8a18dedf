// Preallocated per-(target, flow, TTL) reply storage for one sweep. Targets
// are a sorted vector (binary search, no hashing, no per-reply allocation);
// a trace is one (target, flow), index target * num_flows + flow. Each trace
// keeps bitmaps of the TTLs probed and answered, and its first terminal TTL
// (destination reached or a router said unreachable).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "pathmap/wire.h"

namespace pathmap::match {

inline constexpr unsigned kMaxTtl = 64; // bitmaps are 64 bits wide

struct HopSlot {
    uint32_t addr = 0;   // host order, 0 = no reply
    uint32_t rtt_us = 0;
    uint8_t kind = 0;    // enum pm_reply_kind
    uint8_t icmp_type = 0, icmp_code = 0;
    uint8_t reply_ttl = 0, quoted_ttl = 0;
    uint8_t mpls_count = 0;
    uint16_t mpls_ref = 0; // 1-based index into the MPLS pool, 0 = none
};
static_assert(sizeof(HopSlot) == 16);

struct TraceTableConfig {
    uint16_t num_flows = 1;
    uint8_t max_ttl = 32;
    uint32_t mpls_pool = 16384; // label stacks kept; more are counted, not stored
};

class TraceTable {
public:
    TraceTable(std::vector<uint32_t> sorted_targets, const TraceTableConfig &cfg);

    size_t num_targets() const noexcept { return targets_.size(); }
    size_t num_traces() const noexcept { return sent_.size(); }
    uint16_t num_flows() const noexcept { return cfg_.num_flows; }
    uint8_t max_ttl() const noexcept { return cfg_.max_ttl; }
    uint32_t target(size_t target_index) const noexcept { return targets_[target_index]; }
    const std::vector<uint32_t> &targets() const noexcept { return targets_; }
    size_t trace_index(size_t target_index, uint16_t flow) const noexcept { return target_index * cfg_.num_flows + flow; }
    uint32_t trace_target(size_t trace) const noexcept { return targets_[trace / cfg_.num_flows]; }
    uint16_t trace_flow(size_t trace) const noexcept { return static_cast<uint16_t>(trace % cfg_.num_flows); }

    std::optional<size_t> find_target(uint32_t addr_host) const noexcept;

    void mark_sent(size_t trace, uint8_t ttl) noexcept { sent_[trace] |= bit(ttl); }
    // A planned probe the sender did not take: not probed after all (never a silent hop).
    void unmark_sent(size_t trace, uint8_t ttl) noexcept
    {
        if (!answered(trace, ttl)) sent_[trace] &= ~bit(ttl);
    }
    bool was_sent(size_t trace, uint8_t ttl) const noexcept { return sent_[trace] & bit(ttl); }
    bool answered(size_t trace, uint8_t ttl) const noexcept { return answered_[trace] & bit(ttl); }
    uint64_t answered_bits(size_t trace) const noexcept { return answered_[trace]; }
    const HopSlot &hop(size_t trace, uint8_t ttl) const noexcept { return hops_[trace * cfg_.max_ttl + ttl - 1]; }
    // Lowest TTL that ended the path (reached or unreachable), 0 if none yet.
    uint8_t terminal_ttl(size_t trace) const noexcept { return terminal_[trace]; }
    std::span<const uint32_t> mpls(const HopSlot &h) const noexcept;

    // Stores a reply (caller has validated it). Returns false if the slot was
    // already answered (a duplicate). noexcept, no allocation.
    bool record(size_t trace, uint8_t ttl, const HopSlot &slot, bool terminal, const uint32_t *mpls) noexcept;
    uint64_t mpls_dropped() const noexcept { return mpls_dropped_; }

private:
    static uint64_t bit(uint8_t ttl) noexcept { return uint64_t{1} << (ttl - 1); }
    std::vector<uint32_t> targets_;
    TraceTableConfig cfg_;
    std::vector<HopSlot> hops_;
    std::vector<uint64_t> sent_, answered_;
    std::vector<uint8_t> terminal_;
    std::vector<uint32_t> mpls_pool_; // PM_MAX_MPLS_LABELS per stack
    size_t mpls_used_ = 0;
    uint64_t mpls_dropped_ = 0;
};

} // namespace pathmap::match
