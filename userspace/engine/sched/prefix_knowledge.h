// Per-/24 knowledge for dense sweeps (issue 16): addresses of one /24
// almost always share their path up to the last router, so the first few
// addresses of each /24 in probe order (the scouts) are traced in full, and
// once their traces agree the others (followers) only ask what can differ:
//  - a /24 whose scouts all reached their destination at one distance d,
//    behind one last hop: a follower sends no preprobe and starts at d - 1
//    (the last hop, checked against the stop set) and d (its own answer);
//    an answer that differs (another last hop, no destination at d) makes
//    Doubletree walk on as for any trace, so a /24 split between two last
//    hops is still found. 1 in sample_every followers probes in full anyway
//    (preprobe included), a random sample that checks the distance too;
//  - a /24 whose scouts all ended silent or unreachable after the same last
//    Time Exceeded router R at TTL h: a follower asks h (R again) and h + 1
//    (where the scouts' paths ended: silence, or a router's unreachable),
//    and with nothing at all answering the scouts, one probe at max_ttl (the
//    preprobe, which a live destination answers). An answer unlike the
//    scouts' makes Doubletree go on from there.
// Anything else (scouts that disagree, too few of them) is traced in full.
// Knowledge is used only once it exists: the caller runs the scouts'
// rounds to the end, learn()s, then plans the followers.
// Pure: reads the TraceTable, no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "userspace/engine/match/trace_table.h"

namespace pathmap::sched {

struct PrefixKnowledgeConfig {
    uint8_t scouts = 3;         // addresses per /24 traced in full before the rest use what they showed; 0 = off
    uint32_t sample_every = 16; // of a reached /24's followers, 1 in N still probes in full (0 = none)
    uint64_t seed = 0;          // probe order (the preprobe's Permutation) and the sample
};

enum class PrefixVerdict : uint8_t { unknown, reached, unreached };

struct PrefixPlan {
    enum class Kind : uint8_t {
        full,      // preprobe and Doubletree from the distance it gives
        predicted, // no preprobe: Doubletree from distance - 1
        edge,      // the scouts' last router and the TTL after it (or the preprobe alone)
    };
    Kind kind = Kind::full;
    uint8_t distance = 0;  // predicted: the /24's hop distance
    uint8_t edge_ttl = 0;  // edge: the TTL of the scouts' last Time Exceeded router, 0 = none
    uint32_t edge_addr = 0; // edge: that router
};

class PrefixKnowledge {
public:
    // targets: host order, sorted (the TraceTable's targets, index = target).
    PrefixKnowledge(std::span<const uint32_t> targets, const PrefixKnowledgeConfig &cfg);

    bool enabled() const noexcept { return cfg_.scouts > 0; }
    bool is_scout(size_t target) const noexcept { return !enabled() || role_[target] == kScout; }
    size_t num_scouts() const noexcept { return num_scouts_; }

    // Reads the finished scouts' traces (flow 0 of each) and decides each
    // /24's verdict. Call once, after the scouts' rounds.
    void learn(const match::TraceTable &table);

    // What a follower (not a scout) should send; full before learn().
    PrefixPlan plan(size_t target) const noexcept;
    // The median distance at which the target's /24 scouts reached their
    // destination, 0 when none did: the split for a target whose preprobe
    // got no answer (FlashRoute's prediction from neighbours).
    uint8_t neighbour_distance(size_t target) const noexcept;

    struct Counts {
        size_t prefixes = 0, reached = 0, unreached = 0, unknown = 0; // /24s with followers
    };
    Counts counts() const noexcept { return counts_; }

private:
    enum Role : uint8_t { kFollower, kScout, kSampled };
    struct Group {
        size_t first = 0, size = 0; // targets [first, first + size)
        PrefixVerdict verdict = PrefixVerdict::unknown;
        uint8_t distance = 0;       // reached: the destinations' distance
        uint8_t neighbour = 0;      // median reached distance of the scouts, 0 = none
        uint8_t edge_ttl = 0;       // unreached: the scouts' deepest Time Exceeded TTL and router
        uint32_t edge_addr = 0;
    };
    void judge(const match::TraceTable &table, Group &g);

    PrefixKnowledgeConfig cfg_;
    std::vector<uint32_t> group_of_; // target -> group
    std::vector<uint8_t> role_;      // target -> Role
    std::vector<Group> groups_;
    size_t num_scouts_ = 0;
    Counts counts_{};
    bool learned_ = false;
};

} // namespace pathmap::sched
