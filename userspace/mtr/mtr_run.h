// The state of an MTR run, apart from any I/O: which probes each round sends,
// which replies answer which round, when a probe counts as lost (only after
// --timeout), and late replies, counted apart and never taken as the RTT of
// a later round. The driver (mtr_driver) feeds it sends, replies and time.
//
// A reply names its probe by (target, TTL, flow) and its 24-bit send time;
// the send time falls in exactly one round's send window, so each probe has
// a slot per (target, TTL, flow, round mod R), R rounds being in flight.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "pathmap/wire.h"
#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/mtr/hop_table.h"

namespace pathmap::mtr {

struct MtrRunConfig {
    std::vector<uint32_t> targets; // host order
    uint8_t min_ttl = 1;
    uint8_t max_ttl = 30;
    uint16_t flows = 1;
    uint32_t interval_ms = 1000;
    uint32_t timeout_ms = 2000;
};

struct MtrCounters {
    uint64_t sent = 0;       // probes that left
    uint64_t received = 0;   // answered within --timeout
    uint64_t lost = 0;       // timed out, no reply so far
    uint64_t late = 0;       // timed out, then answered (moved out of lost)
    uint64_t duplicates = 0; // a second reply to an answered probe
    uint64_t unmatched = 0;  // our run's tag but no probe in flight fits (stale, foreign TTL/flow)
    uint64_t in_flight() const noexcept { return sent - received - lost - late; }
};

enum class ReplyOutcome : uint8_t { answered, late, duplicate, unmatched };

class MtrRun {
public:
    // Throws std::invalid_argument with a readable message on a bad config
    // (empty target list, TTL range, too much state for memory).
    explicit MtrRun(MtrRunConfig cfg);

    // The probes of the next round (valid until the next call).
    std::span<const probe::ProbeSpec> plan_round();
    // The planned round starts leaving at start_ns (CLOCK_MONOTONIC): its
    // probes are in flight from now on, so replies that arrive while the rest
    // of the round is still being sent already match.
    void round_begin(uint64_t start_ns) noexcept;
    // The first `count` probes of the round went, the last before end_ns;
    // the rest never left.
    void round_end(uint64_t end_ns, size_t count) noexcept;
    void round_sent(uint64_t start_ns, uint64_t end_ns, size_t count) noexcept
    {
        round_begin(start_ns);
        round_end(end_ns, count);
    }
    // A reply record from the ring buffer.
    ReplyOutcome on_reply(const pm_reply_record &rec) noexcept;
    // Declares lost every probe of a round whose timeout has passed.
    void expire(uint64_t now_ns) noexcept;
    // Forces every round's timeout (final report after the drain wait).
    void expire_all() noexcept;

    uint64_t rounds_sent() const noexcept { return rounds_; }
    const MtrCounters &counters() const noexcept { return counters_; }
    const MtrRunConfig &config() const noexcept { return cfg_; }
    const HopTable &table(size_t target_index) const { return tables_.at(target_index); }
    size_t num_targets() const noexcept { return cfg_.targets.size(); }
    // Addresses that got a row since the last call (host order; the same
    // address once per table and TTL it appears at), for reverse DNS to ask.
    std::vector<uint32_t> take_new_addresses() { return std::exchange(new_addrs_, {}); }

private:
    enum SlotState : uint8_t { empty = 0, pending, answered, lost, late };
    struct Window {
        uint64_t round = UINT64_MAX, start_ns = 0, end_ns = 0;
        bool swept = true;
    };
    size_t slot_index(size_t target, uint8_t ttl, uint16_t flow, uint64_t round) const noexcept;
    void sweep(Window &w) noexcept;
    long find_target(uint32_t dst) const noexcept;

    MtrRunConfig cfg_;
    std::vector<uint32_t> sorted_targets_; // host order
    std::vector<uint32_t> target_order_;   // sorted position -> index in cfg_.targets
    std::vector<HopTable> tables_;
    uint64_t ring_ = 1;                    // R: rounds whose slots coexist
    std::vector<Window> windows_;          // ring_ entries
    // One byte per (target, TTL, flow, round mod R): state; round id lives in the window.
    std::vector<uint8_t> slots_;
    std::vector<probe::ProbeSpec> plan_;
    std::vector<uint8_t> plan_ttl_;        // parallel to plan_ for slot lookups
    std::vector<uint32_t> plan_target_;
    uint64_t rounds_ = 0;
    Window *open_ = nullptr; // the round between round_begin and round_end
    uint64_t timeout_ns_;
    MtrCounters counters_;
    std::vector<uint32_t> new_addrs_; // grows only with new rows: bounded by the paths, not by replies
};

} // namespace pathmap::mtr
