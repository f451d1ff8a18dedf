// The stopping rule of the Multipath Detection Algorithm (Veitch et al.,
// INFOCOM 2009) as Diamond-Miner states it (Vermeulen et al., NSDI 2020):
// after k - 1 distinct next hops of a hop were seen, n_k probes with
// distinct flow ids, all landing on those k - 1, rule out a k-th one with
// failure probability eps / k, i.e.
//     n_k = ceil(ln(eps / k) / ln((k - 1) / k)),
// which for eps = 0.05 gives 6, 11, 16, 21, 27, 33, 39, ...
// MdaHop keeps one hop's count: flows probed, next hops seen, and how many
// more flows it needs before it can stop. Pure planning; mda_explorer.h plans
// a destination's rounds with it for `pathmap sweep --mda`.
#pragma once

#include <cstdint>
#include <vector>

namespace pathmap::sched {

struct MdaConfig {
    double confidence = 0.95; // per hop: 1 - eps
    uint16_t max_flows = 512; // flow ids one hop may use at most (a bound, not the rule)
};

// n_k: probes (distinct flows) that rule out a k-th next hop once k - 1 were
// seen, at failure probability eps. k >= 2; eps in (0, 1). Throws
// std::invalid_argument otherwise (setup-time input).
uint32_t mda_stop_count(unsigned k, double eps);

class MdaHop {
public:
    explicit MdaHop(const MdaConfig &cfg);

    // One answered flow and the next-hop address it showed (0 = silent: not
    // counted, that flow says nothing about the branches).
    void observe(uint16_t flow, uint32_t next_hop);
    unsigned branches() const noexcept { return static_cast<unsigned>(hops_.size()); }
    uint32_t flows_answered() const noexcept { return answered_; }
    // Flows that must answer in total before the hop is done, given the
    // branches seen so far: n_{branches + 1} (capped at max_flows).
    uint32_t flows_needed() const noexcept;
    // How many more flows to send now (0 = done); silent flows are re-planned
    // by the caller, since they do not count.
    uint32_t more_flows() const noexcept;
    bool done() const noexcept { return more_flows() == 0; }

private:
    MdaConfig cfg_;
    double eps_;
    std::vector<uint32_t> hops_;  // distinct next hops seen
    std::vector<uint32_t> table_; // n_k for k = 2 .. , precomputed up to max_flows
    uint32_t answered_ = 0;
};

} // namespace pathmap::sched
