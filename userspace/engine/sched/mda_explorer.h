// Plans the MDA rounds of one destination, Diamond-Miner style (Vermeulen
// et al., NSDI 2020): a flow probed at TTL h and again at h + 1 shows one
// successor of the node it reached at h, and each node gets flows until
// MdaHop (mda_planner.h) says its successors are all seen.
// - Round 0 sends n_2 flows at every TTL (1 more where the sweep's own flow
//   was silent: a router that never answers costs 2 probes, not n_2).
// - Later rounds, per node that is not done: first the flows known to reach
//   it that were not yet asked one TTL further; then as many new flows as are
//   still missing. Where the hop has several nodes a new flow goes out at h
//   only, and is asked at h + 1 next round if the node it reached needs it.
// - A hop with one address confirmed by n_2 answers, a wholly silent hop and
//   the prober's gateway (TTL first_ttl - 1, which every probe crosses) are
//   transparent: any flow probed one TTL further went through them, so a new
//   flow there costs one probe, not two. One probe per next hop that only
//   such flows showed makes its link observed, not inferred.
// - A node whose next TTL never answers, or whose flows keep going silent
//   there (a rate limit), stops; so does one that runs out of flow ids.
// Pure planning: the caller sends, collects and asks again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "userspace/engine/sched/mda_planner.h"

namespace pathmap::sched {

// What one destination's probes have shown so far. flow: the MDA's own flow
// index, 0 .. max_flows - 1.
class MdaReplies {
public:
    virtual ~MdaReplies() = default;
    virtual bool probed(uint16_t flow, uint8_t ttl) const = 0;
    virtual uint32_t addr(uint16_t flow, uint8_t ttl) const = 0; // 0 = silent (or not probed)
};

struct MdaProbe {
    uint16_t flow = 0;
    uint8_t ttl = 0;
    bool operator==(const MdaProbe &) const = default;
};

struct MdaExplorerConfig {
    MdaConfig hop;             // confidence per hop; max_flows = flow ids this destination may use
    uint32_t dst = 0;          // host order: an answer from it ends a path (nothing behind it is enumerated)
    uint8_t first_ttl = 2;     // lowest TTL probed: first_ttl - 1 is the prober's gateway
    uint8_t last_ttl = 0;      // highest TTL probed: nodes there are found, not enumerated
    // Flows below this one were probed by someone else (the sweep's own flow
    // 0, when the MDA probes as the sweep did): their answers count, and the
    // MDA never sends them.
    uint16_t frozen_flows = 0;
    // A node gives up (a bound) once as many of its flows went silent one TTL
    // further as it still needs, and at least this many: a rate-limited
    // router that stopped answering would only eat more flows.
    uint32_t min_silent = 3;
};

// One node's enumeration: what summary.json and the tests look at.
struct MdaNode {
    uint8_t ttl = 0;
    uint32_t addr = 0;           // 0: the gateway (first_ttl - 1) or a wholly silent hop
    std::vector<uint32_t> next;  // distinct successors seen at ttl + 1, sorted
    uint32_t flows = 0;          // flows through it answered at ttl + 1
    uint32_t needed = 0;         // flows the stopping rule asks for, given next.size()
    bool done = false;           // the rule is met
    bool bound = false;          // gave up: max flows, flow ids used up, or silence
    bool next_silent = false;    // the next TTL never answers: nothing to enumerate (not a bound)
};

class MdaExplorer {
public:
    // Throws std::invalid_argument when last_ttl < first_ttl or first_ttl < 2
    // (setup-time input).
    explicit MdaExplorer(const MdaExplorerConfig &cfg);

    // Appends the next round's probes (each (flow, ttl) at most once, none
    // already probed); returns how many. 0: every node is done or bounded.
    size_t plan(const MdaReplies &r, std::vector<MdaProbe> &out);

    // Every node from first_ttl - 1 to last_ttl - 1 as the replies show it.
    std::vector<MdaNode> nodes(const MdaReplies &r) const;
    const MdaExplorerConfig &config() const noexcept { return cfg_; }

private:
    struct Level;
    Level analyze(const MdaReplies &r, uint8_t h) const;
    bool gave_up(uint8_t ttl, uint32_t addr) const;
    uint32_t silent_floor(const MdaReplies &r, uint8_t ttl) const; // silent flows that make a hop anonymous
    bool next_silent(const MdaReplies &r, uint8_t ttl) const;      // ttl is an anonymous (never answering) hop
    template <typename Emit> void confirm_links(const MdaReplies &r, uint8_t h, uint32_t v, Emit &emit) const;

    MdaExplorerConfig cfg_;
    uint32_t n2_ = 0;                    // n_2: flows that rule out a second branch
    std::vector<uint64_t> given_up_;     // ttl << 32 | addr of nodes that hit a bound
    bool first_round_ = true;
};

} // namespace pathmap::sched
