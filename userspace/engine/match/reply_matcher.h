// Stateless reply matching: a pm_reply_record (already filtered by the XDP
// program on run id and flow tag) is validated against the sweep's own
// state and stored as a hop with its RTT, computed from the 24-bit send
// time the probe carried. Every rejection is counted by reason. Pure: no
// I/O, noexcept, no allocation per reply.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "pathmap/wire.h"
#include "userspace/engine/match/trace_table.h"
#include "userspace/engine/probe/probe_encoder.h"

namespace pathmap::match {

enum class Reject : uint8_t {
    unknown_target,   // probe_dst is not one of our targets
    ttl_out_of_range, // probe TTL 0 or above --max-ttl
    flow_out_of_range,
    wrong_proto,      // the record's probe protocol is not this sweep's
    wrong_kind,       // reply kind impossible for the protocol (echo reply to a UDP probe, ...)
    not_sent,         // we never sent that (target, flow, TTL): forged or stale
    duplicate,        // that (target, flow, TTL) was already answered
    late,             // arrived after the wait (or its send time is in the future)
    count_,
};
inline constexpr size_t kRejectCount = static_cast<size_t>(Reject::count_);
std::string_view reject_name(Reject r) noexcept;

struct MatchConfig {
    probe::Proto proto = probe::Proto::icmp;
    uint64_t wait_ns = 2'000'000'000; // replies later than this after the send are late
};

struct MatchStats {
    uint64_t matched = 0;
    std::array<uint64_t, kRejectCount> rejected{};
    uint32_t max_rtt_us = 0;
    uint64_t rejected_total() const noexcept;
};

// Round-trip time from the probe's 24-bit send time (PM_TS_UNIT_NS units)
// and the arrival time (CLOCK_MONOTONIC ns). The send time is known to a
// 10 us unit; the middle of the unit is taken.
uint64_t rtt_ns_from(uint32_t probe_ts24, uint64_t rx_ns) noexcept;

// True when the reply says the probe reached its destination.
bool is_destination_reply(const pm_reply_record &rec) noexcept;

struct MatchOutcome {
    bool matched = false;
    Reject reason = Reject::unknown_target; // when !matched
    size_t trace = 0;
    uint8_t ttl = 0;
};

class ReplyMatcher {
public:
    ReplyMatcher(TraceTable &table, const MatchConfig &cfg) noexcept : table_(table), cfg_(cfg) {}
    MatchOutcome on_reply(const pm_reply_record &rec) noexcept;
    const MatchStats &stats() const noexcept { return stats_; }
    // rx::ReplySink-compatible trampoline; ctx is a ReplyMatcher*.
    static void sink(void *ctx, const pm_reply_record &rec) noexcept;

private:
    MatchOutcome reject(Reject r) noexcept;
    TraceTable &table_;
    MatchConfig cfg_;
    MatchStats stats_;
};

} // namespace pathmap::match
