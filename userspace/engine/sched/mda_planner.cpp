// MDA stopping rule (see mda_planner.h).
#include "userspace/engine/sched/mda_planner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pathmap::sched {

uint32_t mda_stop_count(unsigned k, double eps)
{
    if (k < 2) throw std::invalid_argument("mda_stop_count: k must be at least 2");
    if (!(eps > 0.0 && eps < 1.0)) throw std::invalid_argument("mda_stop_count: eps must lie in (0, 1)");
    const double kk = static_cast<double>(k);
    return static_cast<uint32_t>(std::ceil(std::log(eps / kk) / std::log((kk - 1.0) / kk)));
}

MdaHop::MdaHop(const MdaConfig &cfg) : cfg_(cfg), eps_(1.0 - cfg.confidence)
{
    if (cfg_.max_flows == 0) throw std::invalid_argument("MDA: max_flows must be positive");
    // Precomputed so the planning calls need no log() and no allocation.
    for (unsigned k = 2;; ++k) {
        const uint32_t n = mda_stop_count(k, eps_);
        table_.push_back(std::min<uint32_t>(n, cfg_.max_flows));
        if (n >= cfg_.max_flows) break;
    }
    hops_.reserve(16);
}

void MdaHop::observe(uint16_t, uint32_t next_hop)
{
    if (next_hop == 0) return;
    ++answered_;
    if (std::find(hops_.begin(), hops_.end(), next_hop) == hops_.end()) hops_.push_back(next_hop);
}

uint32_t MdaHop::flows_needed() const noexcept
{
    // n_k with k = branches + 1; none seen yet asks as for one (n_2).
    const size_t i = hops_.empty() ? 0 : hops_.size() - 1;
    return i < table_.size() ? table_[i] : cfg_.max_flows;
}

uint32_t MdaHop::more_flows() const noexcept
{
    const uint32_t need = flows_needed();
    return answered_ >= need ? 0 : need - answered_;
}

} // namespace pathmap::sched
