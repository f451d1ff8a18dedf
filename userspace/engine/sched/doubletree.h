// Redundancy-aware probing order per trace, after Doubletree (Donnet et al.,
// SIGMETRICS 2005) and FlashRoute (Huang et al., IMC 2020): each trace starts
// at a split TTL (the hop distance learned by a preprobe, or a guess),
// probes backward toward the prober until it meets an interface already in
// the global stop set, and forward until the destination answers, a router
// says unreachable, a loop shows, or gap_limit consecutive TTLs stay silent.
// Work proceeds in rounds: at most one backward and one forward probe per
// trace per round, so a trace's next step can use the previous answer.
// Pure: reads replies from the TraceTable, no I/O.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "userspace/engine/match/trace_assembly.h"
#include "userspace/engine/match/trace_table.h"
#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/sched/stop_set.h"

namespace pathmap::sched {

struct DoubletreeConfig {
    uint8_t gap_limit = 3;      // consecutive silent TTLs that end forward probing (FlashRoute: 5 on the Internet)
    bool use_stop_set = true;   // false: backward probing always goes down to TTL 1 (complete traces)
    uint8_t discoverers = 3;    // traces that continue below an interface before it stops others
};

class Doubletree {
public:
    Doubletree(match::TraceTable &table, StopSet &stop_set, const DoubletreeConfig &cfg);

    // Where a trace starts: backward from split_ttl, forward from split_ttl + 1.
    void set_split(size_t trace, uint8_t split_ttl) noexcept;
    // Ends a trace without probing it further (its stop reason is `why`):
    // a follower of a silent /24 whose one probe stayed silent.
    void finish(size_t trace, match::StopReason why) noexcept;

    // Appends this round's probes (traces visited in a random order given by
    // seed), marks them sent. Returns how many were appended.
    size_t plan_round(uint64_t seed, std::vector<probe::ProbeSpec> &out);
    // Reads the answers to the last round and moves every trace on, in a
    // random order, adding interfaces to the stop set as it goes: the first
    // `discoverers` traces to meet an interface continue below it, the
    // others stop.
    void advance_round();

    size_t active() const noexcept { return active_; }
    bool done(size_t trace) const noexcept { return state_[trace].back == 0 && state_[trace].fwd == 0; }
    match::StopReason reason(size_t trace) const noexcept { return state_[trace].stop; }
    // A probe of the last plan_round() that the sender did not take: it is
    // not sent (TraceTable), the trace asks that TTL again next round, and
    // advance_round() reads no answer into it (no gap, no stop set step).
    void unsend(size_t trace, uint8_t ttl) noexcept;
    // Marks every unfinished trace interrupted and stops it.
    void interrupt() noexcept;

private:
    struct State {
        uint8_t back = 0, fwd = 0;           // next TTL in each direction, 0 = finished
        uint8_t sent_back = 0, sent_fwd = 0; // probed in the current round
        uint8_t gap = 0;
        match::StopReason stop = match::StopReason::none;
    };
    void finish_forward(State &s, match::StopReason why) noexcept;
    bool loops(size_t trace, uint8_t ttl, uint32_t addr) const noexcept;
    void recount() noexcept;

    match::TraceTable &table_;
    StopSet &stop_set_;
    DoubletreeConfig cfg_;
    std::vector<State> state_;
    std::vector<uint32_t> found_; // interfaces found in the current round
    size_t active_ = 0;
    uint64_t advance_seed_ = 0;
    std::unordered_map<uint32_t, uint8_t> continued_; // interface -> traces that went on below it
};

// Hop distance of a target from a preprobe answered at ttl `probe_ttl` by
// the destination: from the quoted TTL when the reply quotes the probe, else
// from the reply's own TTL (assuming a 64/128/255 initial TTL and a
// symmetric path). 0 when unknown.
uint8_t distance_from_reply(const match::HopSlot &reply, uint8_t probe_ttl) noexcept;

} // namespace pathmap::sched
